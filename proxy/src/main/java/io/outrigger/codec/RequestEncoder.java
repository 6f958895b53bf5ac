package io.outrigger.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Writes one request to an upstream connection (Envoy's {@code RequestEncoder}); obtained from a
 * connection pool and implemented by each client codec's stream. The codec frames the request for its
 * protocol; the response comes back through the {@link ResponseDecoder} given to the pool.
 */
public interface RequestEncoder extends Stream {
    /**
     * @param request   method, origin-form path and headers ({@code Host} is the authority); the codec may
     *                  add framing headers to it, so the same object can be encoded again by a later attempt
     * @param endStream whether no body and no trailers follow
     */
    void encodeHeaders(HttpRequest request, boolean endStream);

    /** @param data ownership passes to the codec */
    void encodeData(ByteBuf data, boolean endStream);

    /** Request trailers; ends the request. */
    void encodeTrailers(HttpHeaders trailers);
}
