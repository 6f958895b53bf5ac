package io.outrigger.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/3 client for the integration tests, on Netty's own QUIC (quiche) and HTTP/3 codecs: one QUIC
 * connection, any number of concurrent request streams on it. Trusts one CA file; sends SNI {@code localhost}.
 */
final class H3Client implements AutoCloseable {
    /** A response: status, headers (lowercase names; the last value wins), body, trailers. */
    record Response(int status, Map<String, String> headers, byte[] body, Map<String, String> trailers) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel socket;
    final QuicChannel connection;
    private final int port;

    H3Client(int port, Path caCert) throws Exception {
        this.port = port;
        QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(caCert.toFile())
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        ChannelHandler codec = Http3.newQuicClientCodecBuilder()
                .sslEngineProvider(q -> ssl.newEngine(q.alloc(), "localhost", port))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(16 << 20)
                .initialMaxStreamDataBidirectionalLocal(4 << 20)
                .initialMaxStreamDataBidirectionalRemote(4 << 20)
                .initialMaxStreamsBidirectional(100)
                .build();
        try {
            socket = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec).bind(0).sync().channel();
            connection = QuicChannel.newBootstrap(socket).handler(new Http3ClientConnectionHandler())
                    .remoteAddress(new InetSocketAddress("127.0.0.1", port)).connect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The certificate the server presented on this connection. */
    X509Certificate serverCertificate() throws Exception {
        return (X509Certificate) connection.sslEngine().getSession().getPeerCertificates()[0];
    }

    CompletableFuture<Response> get(String path, Map<String, String> headers) {
        return send("GET", path, headers, null, 0);
    }

    /**
     * Starts a request on a new stream.
     *
     * @param body        sent in DATA frames of 16 KiB (repeated {@code repeat} times), or {@code null} for none
     * @return completes with the whole response, or exceptionally when the stream is reset or the connection fails
     */
    CompletableFuture<Response> send(String method, String path, Map<String, String> headers, byte[] body, int repeat) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        ResponseCollector collector = new ResponseCollector(result);
        Http3.newRequestStream(connection, collector).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
            Http3HeadersFrame h = new DefaultHttp3HeadersFrame();
            h.headers().method(method).path(path).scheme("https").authority("localhost:" + port);
            headers.forEach((k, v) -> h.headers().add(k.toLowerCase(), v));
            if (body == null) {
                stream.writeAndFlush(h).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                return;
            }
            stream.write(h);
            writeBody(stream, body, repeat);
        });
        return result;
    }

    /** Writes the body repeat times, waiting for writability so memory stays bounded; then the FIN. */
    private static void writeBody(QuicStreamChannel stream, byte[] body, int repeat) {
        int[] left = {repeat};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left[0] > 0 && stream.isWritable()) {
                left[0]--;
                DefaultHttp3DataFrame frame = new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(body));
                if (left[0] == 0) {
                    // the FIN once the last frame is handed to QUIC (shutdownOutput() would overtake queued frames)
                    stream.writeAndFlush(frame).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
                    return;
                }
                stream.write(frame);
            }
            stream.flush();
        };
        stream.pipeline().addFirst(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (left[0] > 0 && ctx.channel().isWritable()) {
                    pump[0].run();
                }
                ctx.fireChannelWritabilityChanged();
            }
        });
        pump[0].run();
    }

    private static final class ResponseCollector extends Http3RequestStreamInboundHandler {
        private final CompletableFuture<Response> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Map<String, String> headers;
        private final Map<String, String> trailers = new LinkedHashMap<>();
        private int status;
        /** Bytes counted but not kept above this (large downloads). */
        private long bytes;

        ResponseCollector(CompletableFuture<Response> result) {
            this.result = result;
        }

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            Map<String, String> into = headers == null ? new LinkedHashMap<>() : trailers;
            for (Map.Entry<CharSequence, CharSequence> e : frame.headers()) {
                into.put(e.getKey().toString(), e.getValue().toString());
            }
            if (headers == null) {
                CharSequence s = frame.headers().status();
                status = s == null ? 0 : Integer.parseInt(s.toString());
                if (status >= 100 && status < 200) {
                    return; // interim
                }
                headers = into;
            }
        }

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
            ByteBuf c = frame.content();
            bytes += c.readableBytes();
            if (body.size() < (1 << 20)) {
                byte[] b = new byte[c.readableBytes()];
                c.readBytes(b);
                body.writeBytes(b);
            }
            frame.release();
        }

        @Override
        protected void channelInputClosed(ChannelHandlerContext ctx) {
            Map<String, String> h = headers == null ? Map.of() : headers;
            h = new LinkedHashMap<>(h);
            h.put("x-test-body-bytes", Long.toString(bytes));
            result.complete(new Response(status, h, body.toByteArray(), trailers));
            ctx.close();
        }

        @Override
        protected void handleQuicException(ChannelHandlerContext ctx, QuicException exception) {
            result.completeExceptionally(exception);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("stream closed before its end"));
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        socket.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
