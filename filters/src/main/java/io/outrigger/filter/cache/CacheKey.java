package io.outrigger.filter.cache;

/**
 * Where a response is stored: the target URI (RFC 9111 §2: the primary cache key) and, for a response that varies on
 * request headers, its secondary key (RFC 9111 §4.1).
 *
 * @param scheme    {@code http} or {@code https}, as the caller sent the request
 * @param authority the {@code Host} / {@code :authority}, lower case
 * @param target    the path and query as sent
 * @param variant   {@code null} for the primary entry; else the Vary marker's id and the varying headers' values
 */
record CacheKey(String scheme, String authority, String target, String variant) {
    CacheKey withVariant(String v) {
        return new CacheKey(scheme, authority, target, v);
    }

    /** The path without the query. */
    String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /**
     * The key of a URI reference on the same scheme and authority (RFC 9111 §4.4: only those are invalidated), or
     * {@code null}: a path ({@code /a?b}) or an absolute URI of this origin.
     */
    CacheKey sameOrigin(String uri) {
        if (uri == null || uri.isEmpty()) {
            return null;
        }
        if (uri.startsWith("/") && !uri.startsWith("//")) {
            return new CacheKey(scheme, authority, uri, null);
        }
        String prefix = scheme + "://" + authority;
        if (uri.toLowerCase(java.util.Locale.ROOT).startsWith(prefix)) {
            String rest = uri.substring(prefix.length());
            return rest.isEmpty() ? new CacheKey(scheme, authority, "/", null)
                    : rest.startsWith("/") ? new CacheKey(scheme, authority, rest, null) : null;
        }
        return null;
    }
}
