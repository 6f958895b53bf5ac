package io.outrigger.codec.http2;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.TrackingAllocator;
import io.outrigger.codec.http1.Http1RequestValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the downstream HTTP/2 codec — Netty's frame reader and HPACK decoder, {@link StreamStateGuard}, the request
 * header validation — with arbitrary frames after a valid preface. Differential: the same bytes delivered at once and
 * in arbitrary pieces must produce the same requests at the core (the guard walks frame boundaries across reads).
 * Every request that reaches the core passes {@link Http2HeaderConversion#validateRequest}'s rules; nothing escapes
 * as an exception; nothing leaks.
 */
class Http2FrameFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyFramesAreRefusedOrBecomeValidRequestsWhateverTheReadBoundaries(FuzzedDataProvider data) {
        int[] cuts = new int[data.consumeInt(0, 16)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(1, 64);
        }
        byte[] frames = data.consumeRemainingAsBytes();
        List<String> whole = run(frames, new int[0]);
        List<String> pieces = run(frames, cuts);
        assertThat(pieces).isEqualTo(whole);
    }

    private static List<String> run(byte[] frames, int[] cuts) {
        List<String> events = new ArrayList<>();
        ServerConnectionCallbacks core = new ServerConnectionCallbacks() {
            @Override
            public RequestDecoder newStream(ResponseEncoder encoder) {
                return new RequestDecoder() {
                    @Override
                    public void decodeHeaders(HttpRequest r, boolean endStream) {
                        assertThat(Http1RequestValidator.targetProblem(r.uri())).as(r.uri()).isNull();
                        events.add(r.method() + " " + r.uri() + " " + r.headers().size() + (endStream ? " end" : ""));
                    }

                    @Override
                    public void decodeData(ByteBuf d, boolean endStream) {
                        events.add("data " + d.readableBytes() + (endStream ? " end" : ""));
                        d.release();
                    }

                    @Override
                    public void decodeTrailers(HttpHeaders trailers) {
                        events.add("trailers " + trailers.size());
                    }

                    @Override
                    public void sendLocalReply(HttpResponseStatus status, String detail) {
                        events.add("local reply " + status.code());
                    }
                };
            }

            @Override
            public void onRejectedRequest(int status, String reason) {
            }
        };
        TrackingAllocator alloc = new TrackingAllocator(); // (true) to see where a leaked buffer came from
        EmbeddedChannel ch = new EmbeddedChannel(Http2ServerConnection.create(c -> core, Duration.ZERO,
                Http2Settings.defaultSettings().maxConcurrentStreams(100)));
        ch.config().setAllocator(alloc); // reads allocate from here (cumulation, frames): all of it must come back
        ch.writeInbound(Unpooled.wrappedBuffer(Http2CodecUtil.connectionPrefaceBuf()));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0})); // empty SETTINGS
        int pos = 0;
        int i = 0;
        while (pos < frames.length && ch.isOpen()) {
            int n = cuts.length == 0 ? frames.length - pos : Math.min(cuts[i++ % cuts.length], frames.length - pos);
            ch.pipeline().fireChannelRead(Unpooled.copiedBuffer(frames, pos, n));
            ch.pipeline().fireChannelReadComplete();
            ch.runPendingTasks();
            pos += n;
        }
        // the peer goes away (a transport close: Http2ConnectionHandler's own close() would wait for the open streams,
        // a graceful shutdown this harness never finishes); then everything the connection allocated must be released
        ch.unsafe().close(ch.unsafe().voidPromise());
        ch.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers the connection allocated and never released, from %s",
                alloc.unreleasedSites()).isZero();
        return events;
    }
}
