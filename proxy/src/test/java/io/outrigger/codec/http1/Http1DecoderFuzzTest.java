package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.outrigger.codec.TrackingAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.codec.HeadersOnlyRequestDecoder;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerConnectionCallbacks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the downstream HTTP/1.1 codec (Netty's decoder made strict, the request-line checks, the validator, the
 * connection's framing) with arbitrary bytes, delivered in arbitrary pieces. Whatever comes in: nothing escapes as an
 * exception, nothing leaks, and a request that reaches the core obeys the rules a proxy must enforce before
 * forwarding (RFC 9112): a target in RFC 3986's characters, never Content-Length with Transfer-Encoding, a single
 * Host, no hop-by-hop header but what the codec sets itself.
 *
 * <p>{@code mvn verify} replays the inputs under {@code src/test/resources/.../Http1DecoderFuzzTestInputs} (regression
 * mode); {@code JAZZER_FUZZ=1} fuzzes (see {@code .ci/fuzz}).
 */
class Http1DecoderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyBytesAreRefusedOrBecomeValidRequests(FuzzedDataProvider data) {
        List<HttpRequest> requests = new ArrayList<>();
        ServerConnectionCallbacks core = new ServerConnectionCallbacks() {
            @Override
            public RequestDecoder newStream(ResponseEncoder encoder) {
                return new HeadersOnlyRequestDecoder(requests::add);
            }

            @Override
            public void onRejectedRequest(int status, String reason) {
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(1024, 4096),
                new Http1ServerConnection(c -> core, Duration.ZERO));
        TrackingAllocator alloc = new TrackingAllocator(); // (true) to see where a leaked buffer came from
        ch.config().setAllocator(alloc);
        while (data.remainingBytes() > 0 && ch.isOpen()) {
            byte[] piece = data.consumeBytes(data.consumeInt(1, 512));
            ch.writeInbound(Unpooled.wrappedBuffer(piece));
        }
        for (HttpRequest r : requests) {
            assertThat(Http1RequestValidator.targetProblem(r.uri())).as(r.uri()).isNull();
            HttpHeaders h = r.headers();
            assertThat(h.contains(HttpHeaderNames.CONTENT_LENGTH) && h.contains(HttpHeaderNames.TRANSFER_ENCODING))
                    .as("Content-Length with Transfer-Encoding").isFalse();
            assertThat(h.getAll(HttpHeaderNames.HOST).size()).isLessThanOrEqualTo(1);
            assertThat(h.contains(HttpHeaderNames.KEEP_ALIVE) || h.contains(HttpHeaderNames.PROXY_CONNECTION)).isFalse();
            if (h.contains(HttpHeaderNames.CONNECTION)) {
                assertThat(h.get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("upgrade"); // set for WebSocket only
            }
            assertThat(r.method().equals(HttpMethod.CONNECT) || r.uri().startsWith("/") || r.uri().equals("*")).isTrue();
        }
        ch.unsafe().close(ch.unsafe().voidPromise()); // the peer goes away
        ch.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers the connection allocated and never released: %s",
                alloc.unreleasedSites()).isZero();
    }
}
