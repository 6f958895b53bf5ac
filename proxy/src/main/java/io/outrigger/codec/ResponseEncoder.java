package io.outrigger.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Writes one response to the downstream (Envoy's {@code ResponseEncoder}); implemented by each server
 * codec's stream. The codec frames it for its protocol (chunking, Content-Length, HEADERS/DATA frames)
 * and flushes at the end of the event-loop iteration. Calls must come in order and stop after
 * {@code endStream}.
 */
public interface ResponseEncoder extends Stream {
    /**
     * @param response  status and end-to-end headers; the codec may add framing headers to it
     * @param endStream whether no body and no trailers follow
     */
    void encodeHeaders(HttpResponse response, boolean endStream);

    /** @param data ownership passes to the codec */
    void encodeData(ByteBuf data, boolean endStream);

    /** Response trailers; ends the response. */
    void encodeTrailers(HttpHeaders trailers);
}
