package io.outrigger.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives one upstream response from a client codec (Envoy's {@code ResponseDecoder}); implemented by the
 * router's upstream request. Interim (1xx) responses are consumed by the codec. Calls come in order on the
 * connection's event loop and stop after {@code endStream} or a reset.
 */
public interface ResponseDecoder {
    /**
     * @param response  status and headers, without hop-by-hop or framing headers; owned by the decoder
     * @param endStream whether the response has no body and no trailers
     */
    void decodeHeaders(HttpResponse response, boolean endStream);

    /**
     * @param data      a body chunk; ownership passes to the decoder
     * @param endStream whether this is the last chunk and no trailers follow
     */
    void decodeData(ByteBuf data, boolean endStream);

    /** Response trailers (e.g. {@code grpc-status}): the end of the response. */
    void decodeTrailers(HttpHeaders trailers);
}
