package io.outrigger.filter.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Stored under a primary key whose response varies (RFC 9111 §4.1): the request header names it varies on. Each
 * variant lives under a secondary key carrying this marker's {@code id}, so replacing or invalidating the marker
 * orphans every old variant at once (they age out of the store).
 *
 * @param id      unique per marker
 * @param headers lower-case header names, in the response's {@code Vary} order
 */
record VaryMarker(long id, List<String> headers) implements CacheEntry {
    @Override
    public int weight() {
        return 64 + headers.size() * 32;
    }

    /**
     * The secondary key's variant part for a request: the marker id and each named header's values, joined with
     * commas and whitespace around them trimmed (RFC 9111 §4.1 allows normalizing this way).
     */
    String variant(HttpHeaders request) {
        StringBuilder b = new StringBuilder().append(id);
        for (String name : headers) {
            b.append('\n').append(name).append('=');
            List<String> values = request.getAll(name);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(values.get(i).trim());
            }
        }
        return b.toString();
    }
}
