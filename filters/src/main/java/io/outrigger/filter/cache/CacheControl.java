package io.outrigger.filter.cache;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Cache-Control} directives a shared cache acts on (RFC 9111 §5.2), parsed from every field line of a
 * request or a response. Durations are seconds; {@code -1} means the directive is absent. A directive given twice or
 * with a malformed value counts as its most restrictive reading (RFC 9111 §4.2.1: an invalid {@code max-age} is
 * stale; §5.2: a duplicated one is invalid).
 *
 * @param noStore              {@code no-store}
 * @param noCache              {@code no-cache} (a request's {@code Pragma: no-cache} too, RFC 9111 §5.4)
 * @param isPrivate            {@code private}: a shared cache never stores the response
 * @param isPublic             {@code public}
 * @param mustRevalidate       {@code must-revalidate} or {@code proxy-revalidate}: never served stale
 * @param onlyIfCached         {@code only-if-cached} (request)
 * @param maxAge               {@code max-age}, s
 * @param sMaxAge              {@code s-maxage}, s (response; wins over max-age in a shared cache)
 * @param maxStale             {@code max-stale} (request), s; {@link Long#MAX_VALUE} when given without a value
 * @param minFresh             {@code min-fresh} (request), s
 * @param staleWhileRevalidate {@code stale-while-revalidate} (RFC 5861 §3), s
 * @param staleIfError         {@code stale-if-error} (RFC 5861 §4), s
 */
record CacheControl(boolean noStore, boolean noCache, boolean isPrivate, boolean isPublic, boolean mustRevalidate,
        boolean onlyIfCached, long maxAge, long sMaxAge, long maxStale, long minFresh, long staleWhileRevalidate,
        long staleIfError) {

    static final CacheControl NONE = new CacheControl(false, false, false, false, false, false, -1, -1, -1, -1, -1, -1);

    /**
     * @param fields the {@code Cache-Control} field lines (empty: none)
     * @param pragmaNoCache whether {@code Pragma: no-cache} came and no {@code Cache-Control} did
     */
    static CacheControl parse(List<String> fields, boolean pragmaNoCache) {
        if (fields.isEmpty()) {
            return pragmaNoCache ? new Builder().noCache().build() : NONE;
        }
        Builder b = new Builder();
        for (String field : fields) {
            int i = 0;
            int n = field.length();
            while (i < n) {
                while (i < n && (field.charAt(i) == ',' || field.charAt(i) == ' ' || field.charAt(i) == '\t')) {
                    i++;
                }
                int start = i;
                while (i < n && field.charAt(i) != '=' && field.charAt(i) != ',') {
                    i++;
                }
                String name = field.substring(start, i).trim().toLowerCase(Locale.ROOT);
                String value = null;
                if (i < n && field.charAt(i) == '=') {
                    i++;
                    if (i < n && field.charAt(i) == '"') {
                        int end = field.indexOf('"', i + 1);
                        end = end < 0 ? n : end;
                        value = field.substring(i + 1, end);
                        i = Math.min(n, end + 1);
                        while (i < n && field.charAt(i) != ',') {
                            i++;
                        }
                    } else {
                        int vs = i;
                        while (i < n && field.charAt(i) != ',') {
                            i++;
                        }
                        value = field.substring(vs, i).trim();
                    }
                }
                if (!name.isEmpty()) {
                    b.directive(name, value);
                }
            }
        }
        return b.build();
    }

    /** Collects directives; the most restrictive reading wins on duplicates. */
    private static final class Builder {
        boolean noStore;
        boolean noCache;
        boolean isPrivate;
        boolean isPublic;
        boolean mustRevalidate;
        boolean onlyIfCached;
        long maxAge = -1;
        long sMaxAge = -1;
        long maxStale = -1;
        long minFresh = -1;
        long swr = -1;
        long sie = -1;

        Builder noCache() {
            noCache = true;
            return this;
        }

        void directive(String name, String value) {
            switch (name) {
                case "no-store" -> noStore = true;
                // no-cache="field" (RFC 9111 §5.2.2.4, qualified form) is taken as plain no-cache: stricter, still right
                case "no-cache" -> noCache = true;
                case "private" -> isPrivate = true;
                case "public" -> isPublic = true;
                case "must-revalidate", "proxy-revalidate" -> mustRevalidate = true;
                case "only-if-cached" -> onlyIfCached = true;
                case "max-age" -> maxAge = min(maxAge, seconds(value, 0));
                case "s-maxage" -> sMaxAge = min(sMaxAge, seconds(value, 0));
                case "max-stale" -> maxStale = value == null ? Long.MAX_VALUE : min(maxStale, seconds(value, 0));
                case "min-fresh" -> minFresh = Math.max(minFresh, seconds(value, Long.MAX_VALUE));
                case "stale-while-revalidate" -> swr = min(swr, seconds(value, 0));
                case "stale-if-error" -> sie = min(sie, seconds(value, 0));
                default -> {
                    // extensions (immutable, no-transform, ...) do not change what a shared cache may do
                }
            }
        }

        private static long min(long current, long v) {
            return current < 0 ? v : Math.min(current, v);
        }

        /** delta-seconds (RFC 9111 §1.2.2): digits; overflow saturates; anything else takes {@code invalid}. */
        private static long seconds(String value, long invalid) {
            if (value == null || value.isEmpty()) {
                return invalid;
            }
            long v = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    return invalid;
                }
                v = v > Integer.MAX_VALUE ? Integer.MAX_VALUE : v * 10 + (c - '0');
            }
            return Math.min(v, Integer.MAX_VALUE); // 2^31 s, as RFC 9111 §1.2.2 allows
        }

        CacheControl build() {
            return new CacheControl(noStore, noCache, isPrivate, isPublic, mustRevalidate, onlyIfCached, maxAge, sMaxAge,
                    maxStale, minFresh, swr, sie);
        }
    }
}
