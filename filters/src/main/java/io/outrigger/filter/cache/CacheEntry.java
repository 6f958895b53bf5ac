package io.outrigger.filter.cache;

/** What the store holds under a key: a response, or, under a varying response's primary key, its Vary marker. */
sealed interface CacheEntry permits CachedResponse, VaryMarker {
    /** Its cost against {@code max_bytes}, bytes (body and headers, plus a fixed overhead). */
    int weight();
}
