package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1ServerCodecTest {
    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new Http1ServerCodec(4096, 8192));
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void contentLengthWithChunkedIsAFailedRequest() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        HttpRequest r = ch.readInbound();
        assertThat(r.decoderResult().isFailure()).isTrue();
        assertThat(r.decoderResult().cause()).hasMessageContaining("Content-Length");
        Object m;
        while ((m = ch.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headResponseHasNoBodyAndInterimResponsesDoNotConsumeTheMethod() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"));
        for (int i = 0; i < 4; i++) {
            ReferenceCountUtil.release(ch.readInbound());
        }
        ch.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("transfer-encoding", "chunked");
        ch.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
        DefaultHttpResponse get = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        get.headers().set("transfer-encoding", "chunked");
        ch.writeOutbound(get, LastHttpContent.EMPTY_LAST_CONTENT);
        StringBuilder wire = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            wire.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        assertThat(wire.toString()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"          // HEAD: no terminating chunk
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n"); // GET: chunked end
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
