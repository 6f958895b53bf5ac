package io.outrigger.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
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
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP/3 load generator, h2load-like: C QUIC connections, each keeping M request streams in flight (a
 * stream that completes starts the next), for a duration after a warm-up; latency of each request (headers sent to
 * response end) in an HdrHistogram. One event-loop thread (pin it with taskset), epoll when it loads. Certificates are
 * not verified (a benchmark on loopback).
 *
 * <pre>java -jar h3load.jar [-c CONNECTIONS] [-m STREAMS] [-D SECONDS] [-w WARMUP_SECONDS] https://HOST:PORT/PATH</pre>
 */
public final class H3Load {
    private final URI uri;
    private final int streams;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private long ok;
    private long failed;
    private long bytes;
    private volatile boolean measuring;
    private volatile boolean stopping;
    private final List<String> errors = new ArrayList<>();

    private H3Load(URI uri, int streams) {
        this.uri = uri;
        this.streams = streams;
    }

    public static void main(String[] args) throws Exception {
        int c = 10;
        int m = 10;
        int duration = 10;
        int warmup = 2;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> c = Integer.parseInt(args[++i]);
                case "-m" -> m = Integer.parseInt(args[++i]);
                case "-D" -> duration = Integer.parseInt(args[++i]);
                case "-w" -> warmup = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: h3load [-c CONNECTIONS=10] [-m STREAMS=10] [-D SECONDS=10] [-w WARMUP=2] URL");
                    return;
                }
                default -> url = args[i];
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("no URL (h3load -h)");
        }
        new H3Load(URI.create(url), m).run(c, duration, warmup);
    }

    private void run(int connections, int duration, int warmup) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channelClass = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        java.util.function.Supplier<ChannelHandler> codecs = () -> Http3.newQuicClientCodecBuilder()
                .sslEngineProvider(q -> ssl.newEngine(q.alloc(), uri.getHost(), port))
                .maxIdleTimeout(30, TimeUnit.SECONDS)
                .initialMaxData(64 << 20)
                .initialMaxStreamDataBidirectionalLocal(4 << 20)
                .initialMaxStreamDataBidirectionalRemote(4 << 20)
                .initialMaxStreamsBidirectional(1000)
                .build();
        List<QuicChannel> quic = new ArrayList<>();
        List<Channel> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Channel socket = new Bootstrap().group(group).channel(channelClass).handler(codecs.get()).bind(0).sync()
                        .channel();
                sockets.add(socket);
                quic.add(QuicChannel.newBootstrap(socket).handler(new Http3ClientConnectionHandler())
                        .remoteAddress(new InetSocketAddress(uri.getHost(), port)).connect().get(10, TimeUnit.SECONDS));
            }
            CountDownLatch done = new CountDownLatch(connections * streams);
            for (QuicChannel q : quic) {
                q.eventLoop().execute(() -> {
                    for (int s = 0; s < streams; s++) {
                        next(q, done);
                    }
                });
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            group.next().submit(() -> {
                latency.reset();
                ok = failed = bytes = 0;
                measuring = true;
            }).sync();
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(duration));
            long[] snapshot = new long[3];
            Histogram h = group.next().submit(() -> {
                measuring = false;
                snapshot[0] = ok;
                snapshot[1] = failed;
                snapshot[2] = bytes;
                return latency.copy();
            }).get();
            double secs = (System.nanoTime() - start) / 1e9;
            stopping = true;
            done.await(10, TimeUnit.SECONDS);
            System.out.printf("finished in %.2fs, %.2f req/s, %.2fMB/s%n", secs, snapshot[0] / secs, snapshot[2] / secs / 1e6);
            System.out.printf("requests: %d total, %d succeeded, %d failed (2xx: %d)%n", snapshot[0] + snapshot[1],
                    snapshot[0], snapshot[1], snapshot[0]);
            System.out.printf("clients: %d connections x %d streams, transport %s%n", connections, streams,
                    epoll ? "epoll" : "nio");
            System.out.printf("latency (us): min %d, mean %.0f, p50 %d, p90 %d, p99 %d, p99.9 %d, max %d%n",
                    h.getMinValue(), h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
            if (!errors.isEmpty()) {
                System.out.println("errors (first " + errors.size() + "): " + errors);
            }
        } finally {
            quic.forEach(q -> q.close());
            sockets.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Starts one request on {@code q}; its completion starts the next until stopping. On the event loop. */
    private void next(QuicChannel q, CountDownLatch done) {
        if (stopping || !q.isActive()) {
            done.countDown();
            return;
        }
        long t0 = System.nanoTime();
        Http3.newRequestStream(q, new Http3RequestStreamInboundHandler() {
            private int status;
            private boolean finished;

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
                if (status == 0 && frame.headers().status() != null) {
                    status = Integer.parseInt(frame.headers().status().toString());
                }
            }

            @Override
            protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                if (measuring) {
                    bytes += frame.content().readableBytes();
                }
                frame.release();
            }

            @Override
            protected void channelInputClosed(ChannelHandlerContext ctx) {
                finish(ctx, status >= 200 && status < 300, null);
            }

            @Override
            protected void handleQuicException(ChannelHandlerContext ctx, QuicException e) {
                finish(ctx, false, e.toString());
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                finish(ctx, false, "stream closed early");
            }

            private void finish(ChannelHandlerContext ctx, boolean success, String error) {
                if (finished) {
                    return;
                }
                finished = true;
                if (measuring) {
                    if (success) {
                        ok++;
                        latency.recordValue(Math.min((System.nanoTime() - t0) / 1000, latency.getHighestTrackableValue()));
                    } else {
                        failed++;
                        if (errors.size() < 5) {
                            errors.add(error != null ? error : "status " + status);
                        }
                    }
                }
                ctx.close();
                next(q, done);
            }
        }).addListener(f -> {
            if (!f.isSuccess()) {
                if (measuring) {
                    failed++;
                }
                q.eventLoop().schedule(() -> next(q, done), 10, TimeUnit.MILLISECONDS);
                return;
            }
            QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
            Http3HeadersFrame h = new DefaultHttp3HeadersFrame();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            h.headers().method("GET").path(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                    .scheme("https").authority(uri.getAuthority());
            stream.writeAndFlush(h).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        });
    }
}
