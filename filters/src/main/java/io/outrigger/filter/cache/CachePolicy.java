package io.outrigger.filter.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/** The RFC 9111 rules the cache filter applies to requests and responses; stateless. */
final class CachePolicy {
    private CachePolicy() {
    }

    /** RFC 9110 §15.1: statuses cacheable by default, so heuristic freshness applies (206 left out: no ranges here). */
    static boolean heuristicallyCacheable(int status) {
        return switch (status) {
            case 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501 -> true;
            default -> false;
        };
    }

    /** Why a response is not stored; {@code STORABLE} when it is. */
    enum Verdict { STORABLE, STATUS, NO_STORE, PRIVATE, AUTHORIZATION, SET_COOKIE, VARY, NO_FRESHNESS, TOO_LARGE }

    /**
     * RFC 9111 §3 for a shared cache, for the response to a GET.
     *
     * @param requestCc   the request's directives
     * @param requestAuth whether the request carried {@code Authorization}
     * @param stored      the response as it would be stored
     * @param varyAllowed the header names a response may vary on
     */
    static Verdict storable(CacheControl requestCc, boolean requestAuth, CachedResponse stored,
            Predicate<String> varyAllowed) {
        int status = stored.status;
        if (status < 200 || status == 206 || status == 304 || stored.headers.contains(HttpHeaderNames.CONTENT_RANGE)) {
            return Verdict.STATUS;
        }
        CacheControl cc = stored.cc;
        if (cc.noStore() || requestCc.noStore()) {
            return Verdict.NO_STORE;
        }
        if (cc.isPrivate()) {
            return Verdict.PRIVATE;
        }
        if (requestAuth && !cc.isPublic() && cc.sMaxAge() < 0 && !cc.mustRevalidate()) {
            return Verdict.AUTHORIZATION; // RFC 9111 §3.5
        }
        if (stored.headers.contains(HttpHeaderNames.SET_COOKIE)) {
            return Verdict.SET_COOKIE; // allowed by the RFC, but one caller's cookie must never reach another
        }
        List<String> vary = vary(stored.headers);
        if (vary == null || !vary.stream().allMatch(varyAllowed)) {
            return Verdict.VARY;
        }
        boolean explicit = cc.maxAge() >= 0 || cc.sMaxAge() >= 0 || stored.headers.contains(HttpHeaderNames.EXPIRES);
        boolean byDefault = heuristicallyCacheable(status) || cc.isPublic();
        boolean usable = cc.noCache() ? stored.hasValidator() // stored, but validated on every use
                : explicit || (byDefault && (stored.lifetimeMs > 0 || stored.hasValidator()));
        if (!usable) {
            return Verdict.NO_FRESHNESS; // nothing tells how long it is fresh and nothing can validate it
        }
        return Verdict.STORABLE;
    }

    /** The {@code Vary} header names, lower case, in order; empty when none; {@code null} for {@code Vary: *}. */
    static List<String> vary(HttpHeaders h) {
        List<String> names = new ArrayList<>(0);
        for (String field : h.getAll(HttpHeaderNames.VARY)) {
            for (String part : field.split(",")) {
                String name = part.trim().toLowerCase(Locale.ROOT);
                if (name.equals("*")) {
                    return null;
                }
                if (!name.isEmpty() && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Whether the request is conditional (RFC 9110 §13.1): the caller validates on its own. */
    static boolean conditional(HttpHeaders h) {
        return h.contains(HttpHeaderNames.IF_NONE_MATCH) || h.contains(HttpHeaderNames.IF_MODIFIED_SINCE)
                || h.contains(HttpHeaderNames.IF_MATCH) || h.contains(HttpHeaderNames.IF_UNMODIFIED_SINCE)
                || h.contains(HttpHeaderNames.IF_RANGE);
    }

    /**
     * Whether a stored response answers a GET/HEAD's conditions with 304 (RFC 9111 §4.3.2, RFC 9110 §13.1.2 and
     * §13.1.3): {@code If-None-Match} by weak comparison ({@code *} matches any); without it, {@code If-Modified-Since}
     * against {@code Last-Modified}.
     */
    static boolean notModified(HttpHeaders request, CachedResponse stored) {
        List<String> inm = request.getAll(HttpHeaderNames.IF_NONE_MATCH);
        if (!inm.isEmpty()) {
            if (stored.etag == null) {
                return false;
            }
            String mine = opaque(stored.etag);
            for (String field : inm) {
                for (String tag : field.split(",")) {
                    String t = tag.trim();
                    if (t.equals("*") || opaque(t).equals(mine)) {
                        return true;
                    }
                }
            }
            return false;
        }
        long ims = CachedResponse.httpDate(request.get(HttpHeaderNames.IF_MODIFIED_SINCE));
        return ims >= 0 && stored.lastModifiedMs >= 0 && stored.lastModifiedMs <= ims;
    }

    /** An entity tag without its weakness indicator (weak comparison, RFC 9110 §8.8.3.2). */
    private static String opaque(String etag) {
        String t = etag.trim();
        return t.startsWith("W/") ? t.substring(2) : t;
    }

    /** Unsafe methods invalidate what is stored for their target (RFC 9111 §4.4). */
    static boolean unsafe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> false;
            default -> true;
        };
    }
}
