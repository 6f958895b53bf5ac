package io.outrigger.codec.http3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ResourceLeakDetector;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerCodecOptions;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.tls.CertificateAuthority;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/3 server codec against a real QUIC peer on loopback (QUIC has no {@code EmbeddedChannel}: its stream
 * channels live inside quiche's connection): Netty's HTTP/3 client sends, a recording connection manager receives the
 * protocol-neutral stream events and answers through the codec's {@link ResponseEncoder}. Leak detection is paranoid;
 * every body buffer the recorder gets is released by it.
 */
class Http3ServerConnectionTest {
    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private Channel serverSocket;
    private Channel clientSocket;
    private QuicChannel client;
    private final Recorder recorder = new Recorder();
    private ResourceLeakDetector.Level level;

    @BeforeEach
    void start() throws Exception {
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(1));
        CertificateAuthority.Issued cert = ca.issue(List.of("localhost"), List.of(), List.of("127.0.0.1"),
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
        QuicSslContext serverTls = QuicSslContextBuilder.forServer(cert.key(), null, cert.certificate())
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        serverSocket = new Bootstrap().group(serverGroup).channel(NioDatagramChannel.class)
                .handler(Http3.newQuicServerCodecBuilder().sslContext(serverTls)
                        .maxIdleTimeout(10, TimeUnit.SECONDS)
                        .initialMaxData(1 << 20).initialMaxStreamDataBidirectionalRemote(64 * 1024)
                        .initialMaxStreamDataBidirectionalLocal(64 * 1024).initialMaxStreamsBidirectional(100)
                        .handler(new ChannelInitializer<QuicChannel>() {
                            @Override
                            protected void initChannel(QuicChannel qc) {
                                Http3ServerConnection c = new Http3ServerConnection(q -> recorder,
                                        ServerCodecOptions.idleOnly(Duration.ZERO));
                                qc.pipeline().addLast(c, c.http3Handler(16 * 1024));
                            }
                        }).build())
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) serverSocket.localAddress()).getPort();
        QuicSslContext clientTls = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        clientSocket = new Bootstrap().group(clientGroup).channel(NioDatagramChannel.class)
                .handler(Http3.newQuicClientCodecBuilder().sslContext(clientTls).maxIdleTimeout(10, TimeUnit.SECONDS)
                        .initialMaxData(1 << 20).initialMaxStreamDataBidirectionalLocal(64 * 1024).build())
                .bind(0).sync().channel();
        client = QuicChannel.newBootstrap(clientSocket).handler(new Http3ClientConnectionHandler())
                .remoteAddress(new InetSocketAddress("127.0.0.1", port)).connect().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        client.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        clientSocket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        serverSocket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        System.gc(); // give the leak detector its chance at what this test left
        ResourceLeakDetector.setLevel(level);
    }

    @Test
    void headersWithTheFinInOnePacketEndTheRequestAtOnce() throws Exception {
        // HEADERS for GET https://localhost/a, QPACK with static-table references only (RFC 9204 Appendix A):
        // prefix 0 0, :method GET (17), :scheme https (23), :path (1) "/a", :authority (0) "localhost"
        byte[] block = {0x00, 0x00, (byte) 0xd1, (byte) 0xd7, 0x51, 0x02, '/', 'a', 0x50, 0x09,
            'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
        ByteBuf frame = Unpooled.buffer().writeByte(0x01).writeByte(block.length).writeBytes(block);
        CompletableFuture<String> response = new CompletableFuture<>();
        StringBuilder raw = new StringBuilder();
        QuicStreamChannel stream = client.createStream(io.netty.handler.codec.quic.QuicStreamType.BIDIRECTIONAL,
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        raw.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
                        ((ByteBuf) msg).release();
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt == io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE) {
                            response.complete(raw.toString());
                        }
                    }
                }).get(5, TimeUnit.SECONDS);
        stream.writeAndFlush(new io.netty.handler.codec.quic.DefaultQuicStreamFrame(frame, true)).sync();
        assertThat(response.get(10, TimeUnit.SECONDS)).contains("got 0 bytes");
        // the request's end is known with its headers (the FIN came in the same read): an HTTP/1.1 upstream gets no
        // chunked framing for it
        assertThat(recorder.events).containsExactly("headers GET /a host=localhost end=true");
        assertThat(recorder.protocols).containsOnly("HTTP/3");
    }

    @Test
    void aGetWhoseFinComesInTheNextPacketIsComplete() throws Exception {
        // Netty's client sends the FIN once the HEADERS write completed: another packet, microseconds later. The codec
        // waits up to FIN_WAIT_MS for it (then the request ends with its headers); a busier machine may take longer,
        // and the request ends with an empty last chunk — both are complete requests
        Reply reply = request("GET", "/a?b=c", List.of(), null);
        assertThat(reply.done.get(10, TimeUnit.SECONDS)).isEqualTo("200 got 0 bytes trailers x-t=1");
        assertThat(String.join("|", recorder.events)).isIn("headers GET /a?b=c host=localhost end=true",
                "headers GET /a?b=c host=localhost end=false|data ");
    }

    @Test
    void aPostWithoutBodyWhoseFinComesLaterEndsWithAnEmptyLastChunk() throws Exception {
        Reply reply = request("POST", "/p", List.of(), null);
        assertThat(reply.done.get(10, TimeUnit.SECONDS)).isEqualTo("200 got 0 bytes trailers x-t=1");
        assertThat(String.join("|", recorder.events)).isIn("headers POST /p host=localhost end=true",
                "headers POST /p host=localhost end=false|data "); // which one depends on the packets: both are right
    }

    @Test
    void aBodyStreamsInChunksAndRequestTrailersArrive() throws Exception {
        Reply reply = request("POST", "/up", List.of("hello ", "world"), Map.of("x-checksum", "42"));
        assertThat(reply.done.get(10, TimeUnit.SECONDS)).isEqualTo("200 got 11 bytes trailers x-t=1");
        assertThat(recorder.events.get(0)).isEqualTo("headers POST /up host=localhost end=false");
        assertThat(String.join("|", recorder.events)).contains("data hello world").endsWith("trailers x-checksum=42");
    }

    @Test
    void aMalformedRequestIsResetWithMessageErrorAndNeverReachesTheCore() throws Exception {
        Reply reply = request("GET", "no-leading-slash", List.of(), null);
        assertThat(reply.done.get(10, TimeUnit.SECONDS)).startsWith("reset")
                .contains(Long.toString(Http3ErrorCode.H3_MESSAGE_ERROR.code()));
        assertThat(recorder.events).isEmpty();
        assertThat(recorder.errors).hasSize(1);
        assertThat(recorder.errors.get(0)).startsWith("HTTP2_STREAM_ERROR HTTP/3 stream");
    }

    @Test
    void aResetFromTheClientReachesTheStreamAndNothingMoreIsDelivered() throws Exception {
        recorder.answer = false;
        QuicStreamChannel stream = Http3.newRequestStream(client, new Http3RequestStreamInboundHandler() {
            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            }

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                frame.release();
            }

            @Override
            protected void channelInputClosed(ChannelHandlerContext ctx) {
            }
        }).get(5, TimeUnit.SECONDS);
        DefaultHttp3HeadersFrame h = new DefaultHttp3HeadersFrame();
        h.headers().method("POST").path("/stream").scheme("https").authority("localhost");
        stream.writeAndFlush(h).sync();
        stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.copiedBuffer("part", StandardCharsets.US_ASCII))).sync();
        waitFor(() -> recorder.events.size() >= 2);
        stream.shutdownOutput((int) Http3ErrorCode.H3_REQUEST_CANCELLED.code()).sync(); // RESET_STREAM
        waitFor(() -> !recorder.resets.isEmpty());
        assertThat(recorder.resets).containsExactly("REMOTE_RESET");
        assertThat(recorder.remoteResets).isEqualTo(1);
    }

    @Test
    void aResponseFasterThanItsClientStaysWithinAFewFramesOfWhatTheClientReceived() throws Exception {
        Producer producer = new Producer(serverGroup.next());
        recorder.delegate = producer;
        CompletableFuture<Long> received = new CompletableFuture<>();
        QuicStreamChannel stream = Http3.newRequestStream(client, new Http3RequestStreamInboundHandler() {
            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            }

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                producer.received.addAndGet(frame.content().readableBytes());
                frame.release();
            }

            @Override
            protected void channelInputClosed(ChannelHandlerContext ctx) {
                received.complete(producer.received.get());
            }
        }).get(5, TimeUnit.SECONDS);
        DefaultHttp3HeadersFrame h = new DefaultHttp3HeadersFrame();
        h.headers().method("GET").path("/produce").scheme("https").authority("localhost");
        stream.writeAndFlush(h).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(Producer.TOTAL);
        // the producer writes LATE chunks after each high watermark; the codec's backlog must drain before the low
        // watermark, so what was written and not yet received stays near the client's credit and what is in flight
        // (0.54-0.62 MiB here); a low watermark on the first frame QUIC took let it grow to 7 of the 8 MiB
        assertThat(producer.maxAhead).as("bytes written but not yet received, at most").isLessThan(2 << 20);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5); // polling a condition another thread sets
        }
    }

    /** What the client saw: "STATUS BODY trailers K=V", or "reset CODE". */
    private record Reply(CompletableFuture<String> done) {
    }

    private Reply request(String method, String path, List<String> body, Map<String, String> trailers) throws Exception {
        CompletableFuture<String> done = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        QuicStreamChannel stream = Http3.newRequestStream(client, new Http3RequestStreamInboundHandler() {
            private boolean headers;

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
                if (!headers) {
                    headers = true;
                    got.append(frame.headers().status()).append(' ');
                } else {
                    got.append(" trailers");
                    frame.headers().forEach(e -> got.append(' ').append(e.getKey()).append('=').append(e.getValue()));
                }
            }

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                got.append(frame.content().toString(StandardCharsets.UTF_8));
                frame.release();
            }

            @Override
            protected void channelInputClosed(ChannelHandlerContext ctx) {
                done.complete(got.toString());
            }

            @Override
            protected void handleQuicException(ChannelHandlerContext ctx, QuicException e) {
                done.complete(e instanceof io.netty.handler.codec.quic.QuicStreamResetException r
                        ? "reset " + r.applicationProtocolCode() : "reset " + e);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                done.complete("closed " + got);
            }
        }).get(5, TimeUnit.SECONDS);
        DefaultHttp3HeadersFrame h = new DefaultHttp3HeadersFrame();
        h.headers().method(method).path(path).scheme("https").authority("localhost");
        boolean last = body.isEmpty() && trailers == null;
        io.netty.channel.ChannelFuture f = stream.writeAndFlush(h);
        for (int i = 0; i < body.size(); i++) {
            f = stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.copiedBuffer(body.get(i), StandardCharsets.UTF_8)));
        }
        if (trailers != null) {
            DefaultHttp3HeadersFrame t = new DefaultHttp3HeadersFrame();
            trailers.forEach((k, v) -> t.headers().add(k, v));
            f = stream.writeAndFlush(t);
        }
        f.addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        return new Reply(done);
    }

    /** The connection manager's side: records the neutral events, answers when the request ends. */
    private static final class Recorder implements ServerConnectionCallbacks {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<String> resets = new CopyOnWriteArrayList<>();
        final List<String> protocols = new CopyOnWriteArrayList<>();
        volatile int remoteResets;
        volatile boolean answer = true;
        /** When set, streams go to it instead. */
        volatile ServerConnectionCallbacks delegate;

        @Override
        public RequestDecoder newStream(ResponseEncoder encoder) {
            if (delegate != null) {
                return delegate.newStream(encoder);
            }
            protocols.add(encoder.protocol());
            encoder.setCallbacks(new StreamCallbacks() {
                @Override
                public void onResetStream(StreamResetReason reason, String detail) {
                    resets.add(reason.name());
                }

                @Override
                public void onAboveWriteBufferHighWatermark() {
                }

                @Override
                public void onBelowWriteBufferLowWatermark() {
                }
            });
            return new RequestDecoder() {
                private long bytes;
                private final StringBuilder data = new StringBuilder();

                @Override
                public void decodeHeaders(HttpRequest request, boolean endStream) {
                    events.add("headers " + request.method() + " " + request.uri() + " host="
                            + request.headers().get("host") + " end=" + endStream);
                    if (endStream) {
                        end();
                    }
                }

                @Override
                public void decodeData(ByteBuf buf, boolean endStream) {
                    bytes += buf.readableBytes();
                    data.append(buf.toString(StandardCharsets.UTF_8));
                    buf.release();
                    if (endStream) {
                        events.add("data " + data);
                        end();
                    } else if (!answer) {
                        events.add("data " + data);
                    }
                }

                @Override
                public void decodeTrailers(HttpHeaders trailers) {
                    events.add("data " + data);
                    StringBuilder t = new StringBuilder("trailers");
                    trailers.forEach(e -> t.append(' ').append(e.getKey()).append('=').append(e.getValue()));
                    events.add(t.toString());
                    end();
                }

                @Override
                public void sendLocalReply(HttpResponseStatus status, String detail) {
                    events.add("local reply " + status.code());
                }

                private void end() {
                    if (!answer) {
                        return;
                    }
                    encoder.encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), false);
                    encoder.encodeData(Unpooled.copiedBuffer("got " + bytes + " bytes", StandardCharsets.UTF_8), false);
                    encoder.encodeTrailers(new DefaultHttpHeaders().add("x-t", "1"));
                }
            };
        }

        @Override
        public void onRejectedRequest(int status, String reason) {
            errors.add("rejected " + status);
        }

        @Override
        public void onProtocolError(ProtocolError kind, String detail) {
            errors.add(kind + " " + detail);
        }

        @Override
        public void onRemoteReset() {
            remoteResets++;
        }
    }

    /**
     * Answers every request with {@link #TOTAL} bytes in 16 KiB chunks, the way the core relays a fast upstream: it
     * writes while the stream is below its high watermark, then {@link #LATE} chunks more (the upstream reads already
     * under way when it stops reading: about 8 on io_uring), and resumes on the low watermark. Runs on the server's
     * event loop.
     */
    private static final class Producer implements ServerConnectionCallbacks {
        static final int CHUNK = 16 * 1024;
        static final long TOTAL = 8L << 20;
        static final int LATE = 8;
        final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        volatile long maxAhead;
        private final java.util.concurrent.Executor loop;

        Producer(java.util.concurrent.Executor loop) {
            this.loop = loop;
        }

        @Override
        public RequestDecoder newStream(ResponseEncoder encoder) {
            Stream s = new Stream(encoder);
            encoder.setCallbacks(s);
            return s;
        }

        @Override
        public void onRejectedRequest(int status, String reason) {
        }

        @Override
        public void onProtocolError(ProtocolError kind, String detail) {
        }

        @Override
        public void onRemoteReset() {
        }

        private final class Stream implements RequestDecoder, StreamCallbacks {
            private final ResponseEncoder encoder;
            private long sent;
            private boolean above;
            private boolean started;
            private boolean ended;

            Stream(ResponseEncoder encoder) {
                this.encoder = encoder;
            }

            @Override
            public void decodeHeaders(HttpRequest request, boolean endStream) {
                if (endStream) {
                    start();
                }
            }

            @Override
            public void decodeData(ByteBuf buf, boolean endStream) {
                buf.release();
                if (endStream) {
                    start();
                }
            }

            @Override
            public void decodeTrailers(HttpHeaders trailers) {
                start();
            }

            @Override
            public void sendLocalReply(HttpResponseStatus status, String detail) {
            }

            private void start() {
                if (!started) {
                    started = true;
                    encoder.encodeHeaders(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), false);
                    pump();
                }
            }

            private void pump() {
                while (!above && sent < TOTAL) {
                    chunk();
                }
                finish();
            }

            private void chunk() {
                sent += CHUNK;
                maxAhead = Math.max(maxAhead, sent - received.get());
                encoder.encodeData(Unpooled.buffer(CHUNK).writeZero(CHUNK), false);
            }

            private void finish() {
                if (sent >= TOTAL && !ended) {
                    ended = true;
                    encoder.encodeData(Unpooled.EMPTY_BUFFER, true);
                }
            }

            @Override
            public void onResetStream(StreamResetReason reason, String detail) {
                ended = true;
            }

            @Override
            public void onAboveWriteBufferHighWatermark() {
                above = true;
                loop.execute(() -> {
                    for (int i = 0; i < LATE && sent < TOTAL && !ended; i++) {
                        chunk();
                    }
                    finish();
                });
            }

            @Override
            public void onBelowWriteBufferLowWatermark() {
                above = false;
                loop.execute(this::pump);
            }
        }
    }
}
