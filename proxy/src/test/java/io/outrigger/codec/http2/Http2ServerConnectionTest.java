package io.outrigger.codec.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerConnectionCallbacks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frame-level HTTP/2 server codec against Netty's own HTTP/2 client codec, bytes pumped between two
 * {@link EmbeddedChannel}s: what the core sees, what goes back as frames, and malformed requests refused with
 * RST_STREAM(PROTOCOL_ERROR) without ever reaching the core.
 */
class Http2ServerConnectionTest {
    final List<String> events = new ArrayList<>();
    final List<ResponseEncoder> encoders = new ArrayList<>();
    final List<Object> clientFrames = new ArrayList<>();
    final EmbeddedChannel server = new EmbeddedChannel(Http2ServerConnection.create(ch -> new ServerConnectionCallbacks() {
        @Override
        public RequestDecoder newStream(ResponseEncoder encoder) {
            encoders.add(encoder);
            return new RequestDecoder() {
                @Override
                public void decodeHeaders(HttpRequest r, boolean endStream) {
                    events.add("headers " + r.method() + " " + r.uri() + " host=" + r.headers().get("host")
                            + " cookie=" + r.headers().get("cookie") + (endStream ? " end" : ""));
                }

                @Override
                public void decodeData(ByteBuf data, boolean endStream) {
                    events.add("data " + data.toString(StandardCharsets.US_ASCII) + (endStream ? " end" : ""));
                    data.release();
                }

                @Override
                public void decodeTrailers(HttpHeaders trailers) {
                    events.add("trailers " + trailers.get("x-t"));
                }

                @Override
                public void sendLocalReply(HttpResponseStatus status, String detail) {
                    events.add("local reply " + status.code());
                }
            };
        }

        @Override
        public void onRejectedRequest(int status, String reason) {
            events.add("rejected " + status);
        }
    }, Duration.ZERO, Http2Settings.defaultSettings().connectProtocolEnabled(true)));
    final Http2FrameCodec clientCodec = Http2FrameCodecBuilder.forClient().build();
    final Http2ChannelDuplexHandler clientFrames0 = new Http2ChannelDuplexHandler() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame || msg instanceof io.netty.handler.codec.http2.Http2SettingsAckFrame) {
                ReferenceCountUtil.release(msg);
                return;
            }
            clientFrames.add(msg);
        }
    };
    final EmbeddedChannel client = new EmbeddedChannel(clientCodec, clientFrames0);

    /** Moves bytes both ways until neither side has anything to send. */
    void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            ByteBuf b;
            while ((b = client.readOutbound()) != null) {
                server.writeInbound(b);
                moved = true;
            }
            while ((b = server.readOutbound()) != null) {
                client.writeInbound(b);
                moved = true;
            }
        }
    }

    Http2FrameStream send(Http2Headers headers, boolean endStream) {
        Http2FrameStream s = clientFrames0.newStream();
        client.writeOutbound(new DefaultHttp2HeadersFrame(headers, endStream).stream(s));
        pump();
        return s;
    }

    static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("example.test");
    }

    // Releases what the test kept; closing writes GOAWAY frames, which finishAndReleaseAll releases.
    void finish() {
        for (Object f : clientFrames) {
            assertThat(ReferenceCountUtil.release(f) || !(f instanceof io.netty.util.ReferenceCounted)).isTrue();
        }
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    @Test
    void aRequestBecomesStreamCallsAndTheResponseGoesBackAsFrames() {
        pump();
        Http2Headers h = get("/p");
        h.add("cookie", "a=1");
        h.add("cookie", "b=2");
        Http2FrameStream s = send(h, false);
        client.writeOutbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII), false).stream(s));
        client.writeOutbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-t", "v"), true).stream(s));
        pump();
        // :authority becomes Host; cookie crumbs are joined (RFC 9113 §8.2.3)
        assertThat(events).containsExactly("headers GET /p host=example.test cookie=a=1; b=2", "data body", "trailers v");

        ResponseEncoder e = encoders.get(0);
        assertThat(e.protocol()).isEqualTo("HTTP/2");
        e.encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), false);
        e.encodeData(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), true);
        pump();
        assertThat(clientFrames).hasSize(2);
        assertThat(((Http2HeadersFrame) clientFrames.get(0)).headers().status().toString()).isEqualTo("200");
        Http2DataFrame data = (Http2DataFrame) clientFrames.get(1);
        assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        assertThat(data.isEndStream()).isTrue();
        finish();
    }

    /** The server's bytes for one response, passed on to the client; ISO-8859-1 so that a byte is a char. */
    String respond(ResponseEncoder e, String cookie, String other) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("set-cookie", cookie).set("x-other", other);
        e.encodeHeaders(r, true);
        server.runPendingTasks();
        StringBuilder wire = new StringBuilder();
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            wire.append(b.toString(StandardCharsets.ISO_8859_1));
            client.writeInbound(b);
        }
        return wire.toString();
    }

    @Test
    void credentialsAndPerMessageIdsAreNeverIndexedWhileOtherFieldsAre() {
        pump();
        send(get("/1"), true);
        send(get("/2"), true);
        // values whose Huffman code is longer than the value, so HPACK sends them as raw bytes (RFC 7541 §5.2)
        String cookie = "{{}}~~^^<<";
        String other = "<<^^~~}}{{";
        String first = respond(encoders.get(0), cookie, other);
        String second = respond(encoders.get(1), cookie, other);
        assertThat(first).contains(cookie).contains(other);
        assertThat(second).contains(cookie); // never indexed: sent as a literal again (RFC 7541 §6.2.3)
        assertThat(second).doesNotContain(other); // indexed by the first response: the second refers to the table
        assertThat(clientFrames).hasSize(2);
        for (Object f : clientFrames) {
            assertThat(((Http2HeadersFrame) f).headers().get("set-cookie").toString()).isEqualTo(cookie);
        }
        assertThat(HpackIndexing.INSTANCE.isSensitive("x-request-id", "")).isTrue();
        assertThat(HpackIndexing.INSTANCE.isSensitive("x-request", "")).isFalse();
        finish();
    }

    @Test
    void malformedRequestsAreResetWithProtocolErrorAndNeverReachTheCore() {
        pump();
        send(new DefaultHttp2Headers().scheme("http").path("/no-method").authority("a"), true);   // no :method
        send(new DefaultHttp2Headers().method("GET").path("/no-scheme").authority("a"), true);    // no :scheme
        send(new DefaultHttp2Headers().method("GET").scheme("http").authority("a"), true);        // no :path
        assertThat(events).isEmpty();
        assertThat(clientFrames).hasSize(3).allSatisfy(f ->
                assertThat(((Http2ResetFrame) f).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code()));
        // pseudo-headers in trailers (RFC 9113 §8.1): the stream that reached the core is reset, the core told so
        clientFrames.clear();
        Http2FrameStream s = send(get("/t"), false);
        client.writeOutbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().path("/x"), true).stream(s));
        pump();
        assertThat(events).containsExactly("headers GET /t host=example.test cookie=null");
        assertThat(clientFrames).singleElement().satisfies(f ->
                assertThat(((Http2ResetFrame) f).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code()));
        finish();
    }

    /** Raw frames written to the server as a peer that breaks the rules would; what the server answers, decoded. */
    final class RawPeer {
        final io.netty.handler.codec.http2.DefaultHttp2FrameWriter writer = new io.netty.handler.codec.http2.DefaultHttp2FrameWriter();
        final List<String> received = new ArrayList<>();
        final io.netty.handler.codec.http2.DefaultHttp2FrameReader reader = new io.netty.handler.codec.http2.DefaultHttp2FrameReader();
        final io.netty.buffer.ByteBuf pending = Unpooled.buffer();
        final ChannelHandlerContext ctx;
        final EmbeddedChannel server;

        RawPeer() {
            this(Http2ServerConnectionTest.this.server);
        }

        RawPeer(EmbeddedChannel server) {
            this.server = server;
            // a context whose writes land in 'out': the frame writer only needs alloc() and write()
            EmbeddedChannel sink = new EmbeddedChannel();
            this.ctx = sink.pipeline().firstContext() != null ? sink.pipeline().firstContext()
                    : sink.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter()).firstContext();
            server.writeInbound(Unpooled.wrappedBuffer(io.netty.handler.codec.http2.Http2CodecUtil.connectionPrefaceBuf()));
            write(w -> writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise()));
            write(w -> writer.writeSettingsAck(ctx, ctx.newPromise()));
        }

        void write(java.util.function.Consumer<Void> frame) {
            frame.accept(null);
            ctx.channel().flush();
            ByteBuf b;
            while ((b = ((EmbeddedChannel) ctx.channel()).readOutbound()) != null) {
                server.pipeline().fireChannelRead(b); // not writeInbound: a connection error closes the channel
                server.pipeline().fireChannelReadComplete();
                server.runPendingTasks();
            }
            read();
        }

        void headers(int streamId, Http2Headers h, boolean endStream) {
            write(w -> writer.writeHeaders(ctx, streamId, h, 0, endStream, ctx.newPromise()));
        }

        void read() {
            ByteBuf b;
            while ((b = server.readOutbound()) != null) {
                pending.writeBytes(b);
                b.release();
            }
            try {
                reader.readFrame(ctx, pending, new io.netty.handler.codec.http2.Http2FrameAdapter() {
                    @Override
                    public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
                        received.add("RST_STREAM " + streamId + " " + Http2Error.valueOf(errorCode));
                    }

                    @Override
                    public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
                        received.add("GOAWAY " + Http2Error.valueOf(errorCode));
                    }

                    @Override
                    public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean end) {
                        return data.readableBytes() + padding;
                    }
                });
            } catch (io.netty.handler.codec.http2.Http2Exception e) {
                throw new AssertionError(e);
            }
            pending.discardReadBytes();
        }

        void close() {
            pending.release();
            reader.close();
            ((EmbeddedChannel) ctx.channel()).finishAndReleaseAll();
        }
    }

    @Test
    void aHeaderBlockLeftOpenPastTheRequestHeadersTimeoutEndsTheConnection() {
        List<String> errors = new ArrayList<>();
        EmbeddedChannel slow = new EmbeddedChannel(Http2ServerConnection.create(ch -> new ServerConnectionCallbacks() {
            @Override
            public RequestDecoder newStream(ResponseEncoder encoder) {
                throw new AssertionError("no request is complete");
            }

            @Override
            public void onRejectedRequest(int status, String reason) {
            }

            @Override
            public void onProtocolError(io.outrigger.codec.ProtocolError kind, String detail) {
                errors.add(kind.name());
            }
        }, new io.outrigger.codec.ServerCodecOptions(Duration.ZERO, Duration.ofSeconds(10), 0, () -> false, () -> false, null),
                Http2Settings.defaultSettings(), 65_535));
        RawPeer peer = new RawPeer(slow);
        // HEADERS without END_HEADERS: the block waits for a CONTINUATION that never comes (HTTP/2 slowloris)
        ByteBuf raw = Unpooled.buffer();
        raw.writeMedium(3).writeByte(1).writeByte(0).writeInt(1).writeBytes(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84});
        slow.pipeline().fireChannelRead(raw);
        slow.pipeline().fireChannelReadComplete();
        slow.advanceTimeBy(9, java.util.concurrent.TimeUnit.SECONDS);
        slow.runScheduledPendingTasks();
        peer.read();
        assertThat(peer.received).doesNotContain("GOAWAY ENHANCE_YOUR_CALM");
        slow.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        slow.runScheduledPendingTasks();
        peer.read();
        assertThat(peer.received).contains("GOAWAY ENHANCE_YOUR_CALM");
        assertThat(errors).containsExactly("REQUEST_HEADERS_TIMEOUT");
        assertThat(slow.isActive()).isFalse();
        peer.close();
        slow.finishAndReleaseAll();
        finish();
    }

    /** A server whose writes fail as on a connection the client closed, once {@code gone[0]} is set. */
    private EmbeddedChannel serverWhoseClientMayLeave(boolean[] gone, List<ResponseEncoder> encoders, List<String> errors) {
        io.netty.channel.ChannelOutboundHandlerAdapter transport = new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                if (gone[0]) {
                    ReferenceCountUtil.release(msg);
                    promise.setFailure(new java.nio.channels.ClosedChannelException());
                } else {
                    ctx.write(msg, promise);
                }
            }
        };
        return new EmbeddedChannel(transport, Http2ServerConnection.create(ch -> new ServerConnectionCallbacks() {
            @Override
            public RequestDecoder newStream(ResponseEncoder encoder) {
                encoders.add(encoder);
                return new io.outrigger.codec.HeadersOnlyRequestDecoder(r -> { });
            }

            @Override
            public void onRejectedRequest(int status, String reason) {
            }

            @Override
            public void onProtocolError(io.outrigger.codec.ProtocolError kind, String detail) {
                errors.add(kind + ": " + detail);
            }
        }, Duration.ZERO, Http2Settings.defaultSettings()));
    }

    @Test
    void aResponseThatCannotBeWrittenBecauseTheClientLeftIsNoProtocolErrorButAZeroWindowIncrementIs() {
        boolean[] gone = {false};
        List<ResponseEncoder> streams = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        EmbeddedChannel s = serverWhoseClientMayLeave(gone, streams, errors);
        RawPeer peer = new RawPeer(s);
        peer.headers(1, get("/slow"), true);
        assertThat(streams).hasSize(1);
        gone[0] = true; // h2load at the end of its run: the socket closes while responses are on their way
        streams.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), true);
        s.runPendingTasks();
        assertThat(s.isActive()).isFalse();
        assertThat(errors).isEmpty();
        peer.close();
        s.finishAndReleaseAll();

        // the same path with the peer at fault: WINDOW_UPDATE with an increment of 0 on the connection (RFC 9113 §6.9)
        EmbeddedChannel t = serverWhoseClientMayLeave(new boolean[] {false}, new ArrayList<>(), errors);
        RawPeer bad = new RawPeer(t);
        bad.write(w -> bad.ctx.write(Unpooled.buffer().writeMedium(4).writeByte(8).writeByte(0).writeInt(0).writeInt(0)));
        assertThat(bad.received).contains("GOAWAY PROTOCOL_ERROR");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("HTTP2_CONNECTION_ERROR: ").doesNotContain("null");
        bad.close();
        t.finishAndReleaseAll();
        finish();
    }

    private List<Integer> goAways() {
        List<Integer> ids = new ArrayList<>();
        for (Object f : clientFrames) {
            if (f instanceof io.netty.handler.codec.http2.Http2GoAwayFrame g) {
                assertThat(g.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
                ids.add(g.lastStreamId());
            }
        }
        return ids;
    }

    @Test
    void aListenerDrainSendsGoAwayAndClosesOnceTheOpenStreamEnds() {
        pump();
        send(get("/in-flight"), true);
        server.pipeline().fireUserEventTriggered(io.outrigger.codec.ServerDrainEvent.INSTANCE);
        pump();
        // first the announcement (RFC 9113 §6.8): every stream the client may be sending is still taken
        assertThat(goAways()).containsExactly(Integer.MAX_VALUE);
        send(get("/sent-meanwhile"), true);
        assertThat(encoders).hasSize(2);
        server.advanceTimeBy(Http2ServerConnection.DRAIN_GOAWAY_DELAY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        pump();
        assertThat(goAways()).containsExactly(Integer.MAX_VALUE, 5); // then the last stream taken
        assertThat(server.isOpen()).as("streams 3 and 5 are still open").isTrue();
        encoders.get(1).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        pump();
        server.runPendingTasks();
        assertThat(clientFrames).anySatisfy(f -> assertThat(f).isInstanceOf(Http2HeadersFrame.class));
        assertThat(server.isOpen()).isFalse();
        finish();
    }

    @Test
    void headersOnAHalfClosedStreamIsAStreamErrorStreamClosed() {
        RawPeer peer = new RawPeer();
        peer.headers(1, get("/a"), true);
        peer.headers(1, get("/a"), true); // RFC 9113 §5.1: half-closed (remote) accepts no HEADERS
        assertThat(peer.received).containsExactly("RST_STREAM 1 STREAM_CLOSED");
        assertThat(events).containsExactly("headers GET /a host=example.test cookie=null end");
        peer.close();
        finish();
    }

    @Test
    void headersOnAClosedStreamIsAConnectionErrorStreamClosed() {
        RawPeer peer = new RawPeer();
        peer.headers(1, get("/a"), true);
        encoders.get(0).encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT), true);
        server.flush();
        peer.read();
        peer.headers(1, get("/a"), true); // RFC 9113 §5.1: closed
        assertThat(peer.received).containsExactly("GOAWAY STREAM_CLOSED");
        assertThat(server.isActive()).isFalse();
        peer.close();
        finish();
    }

    @Test
    void aStreamIdLowerThanOneAlreadyUsedIsAConnectionErrorProtocolError() {
        RawPeer peer = new RawPeer();
        peer.headers(5, get("/a"), true);
        peer.headers(3, get("/b"), true); // RFC 9113 §5.1.1
        assertThat(peer.received).containsExactly("GOAWAY PROTOCOL_ERROR");
        assertThat(events).containsExactly("headers GET /a host=example.test cookie=null end");
        peer.close();
        finish();
    }
}
