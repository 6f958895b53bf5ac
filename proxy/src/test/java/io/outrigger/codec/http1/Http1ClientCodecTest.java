package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Http1ClientCodecTest {
    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static void request(EmbeddedChannel ch, HttpMethod method, String uri) {
        assertThat(ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri))).isTrue();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            b.release();
        }
    }

    @Test
    void aResponseToHeadHasNoBodyAndTheNextResponseIsFramedByItsOwnRequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        request(ch, HttpMethod.HEAD, "/a");
        request(ch, HttpMethod.GET, "/b");
        ch.writeInbound(bytes("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        HttpResponse interim = ch.readInbound();
        assertThat(interim.status().code()).isEqualTo(100);
        ReferenceCountUtil.release(ch.readInbound()); // its (empty) end
        HttpResponse head = ch.readInbound();
        assertThat(head.headers().get("content-length")).isEqualTo("5");
        LastHttpContent headEnd = ch.readInbound();
        assertThat(headEnd.content().readableBytes()).isZero(); // the 5 bytes that follow belong to the next response
        headEnd.release();
        HttpResponse get = ch.readInbound();
        assertThat(get.status().code()).isEqualTo(200);
        LastHttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        body.release();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void afterA2xxToConnectTheBytesThatFollowPassThroughUndecoded() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        request(ch, HttpMethod.CONNECT, "example.com:443");
        ch.writeInbound(bytes("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 not a response"));
        HttpResponse ok = ch.readInbound();
        assertThat(ok.status().code()).isEqualTo(200);
        StringBuilder tunnel = new StringBuilder();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof HttpContent c) {
                assertThat(c.content().readableBytes()).isZero(); // the 200's empty end
            } else {
                tunnel.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(m);
        }
        ch.writeInbound(bytes(" more"));
        ByteBuf more = ch.readInbound();
        tunnel.append(more.toString(StandardCharsets.US_ASCII));
        more.release();
        assertThat(tunnel.toString()).isEqualTo("HTTP/1.1 not a response more");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void knownHeaderNamesAreSharedInstancesSpelledAsReceivedAndOthersAreKeptAsSent() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        request(ch, HttpMethod.GET, "/");
        request(ch, HttpMethod.GET, "/");
        String block = "Server: nginx\r\ncontent-type: text/plain\r\nX-Custom-Thing: 1\r\nCONTENT-LENGTH: 0\r\n\r\n";
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n" + block + "HTTP/1.1 200 OK\r\n" + block));
        HttpResponse first = ch.readInbound();
        ReferenceCountUtil.release(ch.readInbound());
        HttpResponse second = ch.readInbound();
        ReferenceCountUtil.release(ch.readInbound());
        Map.Entry<CharSequence, CharSequence>[] a = entries(first);
        Map.Entry<CharSequence, CharSequence>[] b = entries(second);
        assertThat(a).extracting(e -> e.getKey().toString())
                .containsExactly("Server", "content-type", "X-Custom-Thing", "CONTENT-LENGTH");
        assertThat(a[0].getKey()).isSameAs(b[0].getKey()); // interned
        assertThat(a[1].getKey()).isSameAs(b[1].getKey()); // interned, in the case it came in
        assertThat(a[2].getKey()).isNotSameAs(b[2].getKey()); // not a known name: its own string
        assertThat(a[3].getKey()).isNotSameAs(b[3].getKey()); // a spelling not in the table
        assertThat(first.headers().get("Content-Type")).isEqualTo("text/plain");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<CharSequence, CharSequence>[] entries(HttpResponse r) {
        java.util.List<Map.Entry<CharSequence, CharSequence>> l = new java.util.ArrayList<>();
        r.headers().iteratorCharSequence().forEachRemaining(l::add);
        return l.toArray(new Map.Entry[0]);
    }

    @Test
    void chunkedTrailersStillDecodeIntoTheSmallTrailerTable() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        request(ch, HttpMethod.POST, "/svc");
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                + "grpc-status: 0\r\ngrpc-message: ok\r\nX-Three: 3\r\n\r\n"));
        ReferenceCountUtil.release(ch.readInbound());
        HttpContent chunk = ch.readInbound();
        assertThat(chunk.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        chunk.release();
        LastHttpContent last = ch.readInbound();
        assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("0");
        assertThat(last.trailingHeaders().get("grpc-message")).isEqualTo("ok");
        assertThat(last.trailingHeaders().get("x-three")).isEqualTo("3");
        last.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMalformedResponseIsAFailedMessage() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        request(ch, HttpMethod.GET, "/");
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nX-Bad\u0001Name: x\r\n\r\n")); // a control byte in a name (RFC 9110 §5.1)
        HttpResponse r = ch.readInbound();
        assertThat(r.decoderResult().isFailure()).isTrue();
        Object m;
        while ((m = ch.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void statusLinesDecodeTheSameWhetherTheirWordsAreTheUsualOnesOrNot() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec());
        String[] lines = {"HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 299 Custom Thing", "HTTP/1.1 200 Fine",
            "HTTP/1.1 503 "};
        for (int i = 0; i < lines.length; i++) {
            request(ch, HttpMethod.GET, "/" + i);
        }
        for (String line : lines) {
            ch.writeInbound(bytes(line + "\r\nContent-Length: 0\r\n\r\n"));
        }
        String[] expected = {"HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 299 Custom Thing",
            "HTTP/1.1 200 Fine", "HTTP/1.1 503 "};
        for (String want : expected) {
            HttpResponse r = ch.readInbound();
            assertThat(r.protocolVersion() + " " + r.status().code() + " " + r.status().reasonPhrase()).isEqualTo(want);
            ReferenceCountUtil.release(ch.readInbound());
        }
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
