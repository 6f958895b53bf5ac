package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerConnectionCallbacks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 server codec's connection, driven with bytes: what the core sees and what goes on the wire. */
class Http1ServerConnectionTest {
    /** Records every stream call as text; keeps each stream's encoder to answer with. */
    static final class Recorder implements ServerConnectionCallbacks {
        final List<String> events = new ArrayList<>();
        final List<ResponseEncoder> encoders = new ArrayList<>();
        final List<Integer> rejected = new ArrayList<>();

        @Override
        public RequestDecoder newStream(ResponseEncoder encoder) {
            encoders.add(encoder);
            int n = encoders.size();
            return new RequestDecoder() {
                @Override
                public void decodeHeaders(HttpRequest r, boolean endStream) {
                    events.add(n + " headers " + r.method() + " " + r.uri() + " " + r.headers().names().stream().sorted().toList()
                            + (endStream ? " end" : ""));
                }

                @Override
                public void decodeData(ByteBuf data, boolean endStream) {
                    events.add(n + " data " + data.toString(StandardCharsets.US_ASCII) + (endStream ? " end" : ""));
                    data.release();
                }

                @Override
                public void decodeTrailers(HttpHeaders trailers) {
                    events.add(n + " trailers " + trailers.get("x-t"));
                }

                @Override
                public void sendLocalReply(HttpResponseStatus status, String detail) {
                    events.add(n + " local reply " + status.code());
                }
            };
        }

        @Override
        public void onRejectedRequest(int status, String reason) {
            rejected.add(status);
        }

        final List<String> drained = new ArrayList<>();

        @Override
        public void onConnectionDrained(DrainReason reason) {
            drained.add(reason.name());
        }
    }

    private static EmbeddedChannel channel(Recorder r) {
        return new EmbeddedChannel(new Http1ServerCodec(4096, 8192), new Http1ServerConnection(ch -> r, java.time.Duration.ZERO));
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String wire(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void leavingThePipelineStopsTheIdleTimer() {
        // h2c prior knowledge or an Upgrade replaces this handler with HTTP/2's; its timer never sees those streams
        Recorder r = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(4096, 8192),
                new Http1ServerConnection(c -> r, java.time.Duration.ofSeconds(60)));
        assertThat(ch.runScheduledPendingTasks()).as("the idle timer is armed").isPositive();
        ch.pipeline().remove(Http1ServerConnection.class);
        assertThat(ch.runScheduledPendingTasks()).as("no timer left to close the connection").isEqualTo(-1);
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPipelinedRequestBehindABodylessOneIsServedAfterItsResponse() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"));
        // the empty end-of-message of /a is dropped as it arrives; /b waits for /a's response
        assertThat(r.events).containsExactly("1 headers GET /a [Host] end");
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        ch.runPendingTasks();
        assertThat(r.events).as("the pipelined request follows the response").containsExactly(
                "1 headers GET /a [Host] end", "2 headers GET /b [Host] end");
        assertThat(wire(ch)).startsWith("HTTP/1.1 204 No Content\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void chunkedRequestWithTrailersBecomesStreamCallsAndTheResponseIsFramedForTheConnection() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("POST /up HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-hop\r\nX-Hop: 1\r\nTE: trailers\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nx-t: v\r\n\r\n"));
        assertThat(r.events).containsExactly(
                "1 headers POST /up [Host, TE]",   // hop-by-hop gone (x-hop named by Connection), TE: trailers kept
                "1 data hello",
                "1 trailers v");
        ResponseEncoder e = r.encoders.get(0);
        e.encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), false);
        e.encodeData(bytes("body"), false);
        HttpHeaders t = new DefaultHttpHeaders();
        t.set("grpc-status", "0");
        e.encodeTrailers(t);
        assertThat(wire(ch)).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\ngrpc-status: 0\r\n\r\n");
        assertThat(ch.isOpen()).isTrue(); // keep-alive: the connection serves the next request
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theH2cUpgradeHandlerLeavesThePipelineAtTheFirstRequestThatDidNotUpgrade() {
        Recorder r = new Recorder();
        Http1ServerCodec codec = new Http1ServerCodec(4096, 8192);
        io.netty.handler.codec.http.HttpServerUpgradeHandler upgrade =
                new io.netty.handler.codec.http.HttpServerUpgradeHandler(codec, protocol -> null, 8192);
        EmbeddedChannel ch = new EmbeddedChannel(codec, upgrade, new Http1ServerConnection(c -> r, java.time.Duration.ZERO));
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertThat(r.events).containsExactly("1 headers GET /1 [Host] end");
        assertThat(ch.pipeline().get(io.netty.handler.codec.http.HttpServerUpgradeHandler.class)).isNull();
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        ch.runPendingTasks();
        // the next request (with a body, past where the aggregator sat) still reaches the connection whole
        ch.writeInbound(bytes("POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"));
        assertThat(r.events).containsExactly("1 headers GET /1 [Host] end", "2 headers POST /2 [Content-Length, Host]",
                "2 data hello end");
        wire(ch);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theLastBodyChunkEndsTheResponseInEitherFraming() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), false);
        r.encoders.get(0).encodeData(bytes("body"), true); // no length: chunked, ended by the empty last chunk
        assertThat(wire(ch)).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n");
        ch.runPendingTasks();
        ch.writeInbound(bytes("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        DefaultHttpResponse sized = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        sized.headers().set("content-length", 4);
        r.encoders.get(1).encodeHeaders(sized, false);
        r.encoders.get(1).encodeData(bytes("body"), true);
        assertThat(wire(ch)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody");
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPipelinedRequestWaitsForTheResponseBeforeIt() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertThat(r.events).containsExactly("1 headers GET /1 [Host] end");
        DefaultHttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        r.encoders.get(0).encodeHeaders(ok, true);
        ch.runPendingTasks();
        assertThat(r.events).containsExactly("1 headers GET /1 [Host] end", "2 headers GET /2 [Host] end");
        assertThat(wire(ch)).startsWith("HTTP/1.1 204 No Content\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "GET /a\u0001b HTTP/1.1 | 400",  // control character in the target (RFC 9112 §3.2)
            "GET /a\u007fb HTTP/1.1 | 400",  // DEL
            "GET /caf\u00e9 HTTP/1.1 | 400", // a byte above 0x7F
            "GET /a\\b HTTP/1.1 | 400",      // backslash
            "GET /a\"b HTTP/1.1 | 400",
            "GET /%zz HTTP/1.1 | 400",       // broken percent-encoding
            "GET /a% HTTP/1.1 | 400",
            "GET / http/1.1 | 400",          // HTTP-name is case-sensitive (RFC 9112 §2.3)
            "GET / HTTP/1.1.1 | 400",
            "GET / HTTP/2.0 | 505",          // RFC 9110 §15.6.6
            "GET / HTTP/3.1 | 505",
            "GET / HTTP/0.9 | 505"})
    void aRequestLineOutsideTheGrammarIsRefusedAndNeverBecomesAStream(String line, int status) {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(Unpooled.copiedBuffer(line + "\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(r.encoders).isEmpty();
        assertThat(r.rejected).containsExactly(status);
        assertThat(wire(ch)).startsWith("HTTP/1.1 " + status + " ").contains("connection: close");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aLaterHttp1MinorVersionIsServedAsHttp11AndTolaratedCharactersPass() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("GET /q?a={b}|c^d%2F HTTP/1.2\r\nHost: a\r\n\r\n"));
        assertThat(r.events).containsExactly("1 headers GET /q?a={b}|c^d%2F [Host] end");
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(ch)).startsWith("HTTP/1.1 204 No Content\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void requestHeadersNotCompleteInTimeGet408AndTheConnectionCloses() {
        Recorder r = new Recorder();
        long[] now = {1_000};
        EmbeddedChannel ch = new EmbeddedChannel(
                new Http1ServerCodec(4096, 8192, java.time.Duration.ofSeconds(10), () -> now[0]),
                new Http1ServerConnection(ch2 -> r, java.time.Duration.ZERO));
        // a complete request in time, then a keep-alive pause far longer than the timeout: no 408
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        wire(ch);
        now[0] += 30_000_000_000L;
        ch.advanceTimeBy(30, java.util.concurrent.TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        // the next request starts (slowloris: a few bytes), and its headers never complete
        ch.writeInbound(bytes("GET /2 HTTP/1.1\r\nHo"));
        now[0] += 9_000_000_000L;
        ch.advanceTimeBy(9, java.util.concurrent.TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        now[0] += 1_000_000_000L;
        ch.advanceTimeBy(1, java.util.concurrent.TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(wire(ch)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close");
        assertThat(r.rejected).containsExactly(408);
        assertThat(r.encoders).hasSize(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void afterMaxRequestsPerConnectionTheResponseClosesTheConnection() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(4096, 8192),
                new Http1ServerConnection(ch2 -> r, new io.outrigger.codec.ServerCodecOptions(
                        java.time.Duration.ZERO, java.time.Duration.ZERO, 2, () -> false, () -> false, null)));
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(ch)).doesNotContain("connection: close");
        ch.writeInbound(bytes("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        r.encoders.get(1).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(ch)).containsIgnoringCase("connection: close");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(r.drained).containsExactly("MAX_REQUESTS_PER_CONNECTION");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whileTheListenerServesHttp3ResponsesAdvertiseItUnlessTheyCarryTheirOwnAltSvc() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(4096, 8192),
                new Http1ServerConnection(ch2 -> r, new io.outrigger.codec.ServerCodecOptions(java.time.Duration.ZERO,
                        java.time.Duration.ZERO, 0, () -> false, () -> false, "h3=\":8443\"; ma=86400")));
        ch.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        r.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(ch)).containsIgnoringCase("alt-svc: h3=\":8443\"; ma=86400\r\n");
        ch.writeInbound(bytes("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        DefaultHttpResponse own = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        own.headers().set("alt-svc", "clear");
        r.encoders.get(1).encodeHeaders(own, true);
        String second = wire(ch);
        assertThat(second).containsIgnoringCase("alt-svc: clear\r\n").doesNotContain("h3=");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aListenerDrainEndsConnectionsAfterTheirNextResponseAndClosesIdleOnesOnceTheListenerStopsAccepting() {
        Recorder idle = new Recorder();
        EmbeddedChannel quiet = channel(idle);
        quiet.writeInbound(bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        idle.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(quiet)).doesNotContainIgnoringCase("connection: close");
        quiet.runPendingTasks();
        assertThat(quiet.isOpen()).isTrue(); // keep-alive, between requests
        quiet.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.INSTANCE);
        assertThat(quiet.isOpen()).as("a request may be on its way: served, with Connection: close").isTrue();
        quiet.writeInbound(bytes("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));
        idle.encoders.get(1).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(quiet)).containsIgnoringCase("connection: close");
        quiet.runPendingTasks();
        assertThat(quiet.isOpen()).isFalse();
        assertThat(idle.drained).containsExactly("LISTENER_DRAIN");

        Recorder idle2 = new Recorder();
        EmbeddedChannel quiet2 = channel(idle2);
        quiet2.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.INSTANCE);
        quiet2.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.CLOSE_IDLE);
        assertThat(quiet2.isOpen()).as("the listener stopped accepting: an idle connection closes").isFalse();
        assertThat(quiet2.finishAndReleaseAll()).isFalse();
        assertThat(quiet.finishAndReleaseAll()).isFalse();

        Recorder busy = new Recorder();
        EmbeddedChannel ch = channel(busy);
        ch.writeInbound(bytes("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"));
        ch.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.INSTANCE);
        ch.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.INSTANCE); // counted once
        assertThat(ch.isOpen()).as("the request in flight finishes").isTrue();
        busy.encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        assertThat(wire(ch)).startsWith("HTTP/1.1 204").containsIgnoringCase("connection: close");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(busy.drained).containsExactly("LISTENER_DRAIN");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMalformedRequestIsAnsweredAndNeverBecomesAStream() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        assertThat(r.encoders).isEmpty();
        assertThat(r.rejected).containsExactly(400);
        assertThat(wire(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void expectContinueIsAnsweredHereAndABrokenBodyBecomesALocalReply() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ch.writeInbound(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertThat(wire(ch)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        assertThat(r.events).containsExactly("1 headers POST / [Host]");
        ch.writeInbound(bytes("zz\r\n"));
        assertThat(r.events).last().isEqualTo("1 local reply 400");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
