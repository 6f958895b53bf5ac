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
}
