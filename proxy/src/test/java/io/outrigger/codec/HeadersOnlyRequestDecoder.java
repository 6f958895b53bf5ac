package io.outrigger.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Consumer;

/**
 * A core stream for codec tests that only look at request headers: each request's headers go to a consumer, body
 * chunks are released as they arrive (the decoder owns them), trailers and local replies are ignored.
 */
public final class HeadersOnlyRequestDecoder implements RequestDecoder {
    private final Consumer<HttpRequest> requests;

    /** @param requests receives each request as its headers arrive */
    public HeadersOnlyRequestDecoder(Consumer<HttpRequest> requests) {
        this.requests = requests;
    }

    @Override
    public void decodeHeaders(HttpRequest request, boolean endStream) {
        requests.accept(request);
    }

    @Override
    public void decodeData(ByteBuf data, boolean endStream) {
        data.release();
    }

    @Override
    public void decodeTrailers(HttpHeaders trailers) {
    }

    @Override
    public void sendLocalReply(HttpResponseStatus status, String detail) {
    }
}
