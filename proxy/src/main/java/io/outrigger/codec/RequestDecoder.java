package io.outrigger.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Receives one downstream request from a server codec (Envoy's {@code RequestDecoder}); implemented by
 * the connection manager's active stream. Calls come in order — headers, zero or more data, optional
 * trailers — on the connection's event loop, and stop after {@code endStream} or a reset.
 *
 * <p>The request is protocol-neutral: {@link HttpRequest} carries method, target (origin form) and headers
 * with no hop-by-hop or framing headers and no pseudo-headers; the authority is {@code Host}.
 */
public interface RequestDecoder {
    /**
     * @param request   method, path and headers; owned by the stream from here on
     * @param endStream whether the request has no body and no trailers
     */
    void decodeHeaders(HttpRequest request, boolean endStream);

    /**
     * @param data      a body chunk; ownership passes to the decoder, which releases it
     * @param endStream whether this is the last chunk and no trailers follow
     */
    void decodeData(ByteBuf data, boolean endStream);

    /** Request trailers: the end of the request. */
    void decodeTrailers(HttpHeaders trailers);

    /**
     * The codec found the request malformed after its headers were delivered (bad chunk framing, a body
     * longer than its Content-Length): answer with a local reply if nothing was sent yet, else reset.
     */
    void sendLocalReply(HttpResponseStatus status, String detail);
}
