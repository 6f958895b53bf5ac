package io.outrigger.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.http2.Http2ClientConnection;
import io.outrigger.config.ConnectionPoolConfig;
import io.outrigger.config.Http2ProtocolOptions;
import io.outrigger.tls.ClientTlsContext;
import io.outrigger.upstream.ClusterResources;
import io.outrigger.upstream.Host;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 connections from one worker to one host, multiplexed (Envoy's HTTP/2 connection pool). Confined to
 * the worker's event loop. A stream goes to the open connection with the fewest free slots left that still has
 * one (so connections fill up and spare ones idle out); a new connection opens only when every open or
 * connecting one is at its stream limit — the smaller of {@code max_concurrent_streams} and the upstream's
 * SETTINGS_MAX_CONCURRENT_STREAMS. Streams that find no slot wait in a FIFO bounded by
 * {@code max_pending_requests}. Connections count against {@code max_connections} cluster-wide (a pool with
 * none may always open one).
 *
 * <p>GOAWAY: the connection takes no new stream at once; its streams above the last-stream-id are reset as
 * provably unprocessed ({@code REMOTE_REFUSED_STREAM}), which the router retries on another connection.
 * With {@code connection_keepalive}, an idle-or-busy connection is PINGed every interval and closed when an
 * acknowledgement does not come within the timeout. A connection serving no stream closes after
 * {@code idle_timeout} ({@link ConnectionPoolConfig#http2IdleTimeout()}: 1 h unless set, Envoy's).
 */
public final class Http2ConnectionPool implements ConnectionPool, Http2ClientConnection.Owner {
    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionPool.class);

    private final EventLoop eventLoop;
    private final Host host;
    private final ClusterResources resources;
    private final ConnectionPoolConfig config;
    private final Http2ProtocolOptions options;
    private final Bootstrap bootstrap;
    private final List<Active> ready = new ArrayList<>(2);
    private final ArrayDeque<PendingStream> pending = new ArrayDeque<>();
    private int connecting;
    private int total;
    private final Runnable onAlpnHttp1;

    /** One connection's pool-side state. */
    private final class Active {
        final Channel channel;
        final Http2ClientConnection codec;
        long streamsServed;
        ScheduledFuture<?> idleTimer;

        Active(Channel channel, Http2ClientConnection codec) {
            this.channel = channel;
            this.codec = codec;
        }

        int limit() {
            return Math.min(options.maxConcurrentStreams(), codec.peerMaxConcurrentStreams());
        }

        boolean hasCapacity() {
            return !codec.isDraining() && codec.activeStreams() < limit();
        }
    }

    /**
     * @param connectTimeout TCP connect timeout (the TLS handshake, if any, has its own 10s limit)
     * @param tls            the cluster's client TLS context (offering {@code h2} by ALPN), or {@code null}
     * @param onAlpnHttp1    when not {@code null}, the context also offers {@code http/1.1}: a host that picks it is
     *                       reported here (its streams then fail with {@link PoolFailureReason#ALPN_CHOSE_HTTP1});
     *                       {@code null}: only {@code h2} is acceptable
     */
    public Http2ConnectionPool(EventLoop eventLoop, Supplier<? extends Channel> channelFactory, Host host,
                               ClusterResources resources, ConnectionPoolConfig config, Http2ProtocolOptions options,
                               Duration connectTimeout, ClientTlsContext tls, Runnable onAlpnHttp1) {
        this.onAlpnHttp1 = onAlpnHttp1;
        this.eventLoop = eventLoop;
        this.host = host;
        this.resources = resources;
        this.config = config;
        this.options = options;
        String scheme = tls == null ? "http" : "https";
        this.bootstrap = new Bootstrap().group(eventLoop).channelFactory(channelFactory::get)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host.hostname(), host.address().getPort()));
                        }
                        Http2Settings settings = Http2Settings.defaultSettings().pushEnabled(false)
                                .initialWindowSize(options.initialStreamWindowSize());
                        ch.pipeline().addLast("h2", Http2ClientConnection.create(Http2ConnectionPool.this, settings, scheme,
                                options.initialConnectionWindowSize()));
                        ch.pipeline().addLast("pool", new ClosedHandler());
                    }
                });
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public String protocol() {
        return "HTTP/2";
    }

    @Override
    public Cancellable newStream(ResponseDecoder decoder, PoolCallbacks callbacks, boolean fresh) {
        assert eventLoop.inEventLoop();
        Active best = null;
        for (int i = 0; i < ready.size(); i++) {
            Active a = ready.get(i);
            if (a.hasCapacity() && (best == null || a.limit() - a.codec.activeStreams()
                    < best.limit() - best.codec.activeStreams())) {
                best = a;
            }
        }
        if (best != null && !(fresh && best.streamsServed > 0)) {
            attach(best, decoder, callbacks);
            return null;
        }
        if (!resources.tryAcquirePending()) {
            callbacks.onPoolFailure(PoolFailureReason.OVERFLOW, "pending request queue full for cluster " + host.cluster());
            return null;
        }
        PendingStream p = new PendingStream(decoder, callbacks, pending, resources);
        pending.addLast(p);
        if (connecting * options.maxConcurrentStreams() < pending.size() || fresh) {
            tryConnect();
        }
        return p;
    }

    private void attach(Active a, ResponseDecoder decoder, PoolCallbacks callbacks) {
        if (a.idleTimer != null) {
            a.idleTimer.cancel(false);
            a.idleTimer = null;
        }
        boolean reused = a.streamsServed++ > 0;
        RequestEncoder encoder = a.codec.newStream(decoder);
        callbacks.onPoolReady(encoder, reused);
    }

    private void tryConnect() {
        if (!resources.tryAcquireConnection(total == 0)) {
            return;
        }
        connecting++;
        total++;
        ChannelFuture f = bootstrap.connect(host.address());
        f.addListener(future -> onConnect(f));
    }

    private void onConnect(ChannelFuture f) {
        if (!f.isSuccess()) {
            onConnectFailed(f.channel(), "connect to " + host + " failed: " + f.cause().getMessage());
            return;
        }
        SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
        if (ssl == null) {
            onReady(f.channel());
            return;
        }
        ssl.handshakeFuture().addListener(h -> {
            if (!h.isSuccess()) {
                f.channel().close();
                onConnectFailed(f.channel(), "TLS handshake with " + host + " failed: " + h.cause().getMessage());
            } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                f.channel().close();
                String chosen = ssl.applicationProtocol();
                if (onAlpnHttp1 != null && (chosen == null || ApplicationProtocolNames.HTTP_1_1.equals(chosen))) {
                    onAlpnHttp1.run(); // the worker uses its HTTP/1.1 pool for this host from now on
                    onConnectFailed(f.channel(), PoolFailureReason.ALPN_CHOSE_HTTP1, host + " chose HTTP/1.1 by ALPN");
                } else {
                    onConnectFailed(f.channel(), host + " did not agree to h2 by ALPN (got " + chosen + ")");
                }
            } else {
                onReady(f.channel());
            }
        });
    }

    private void onConnectFailed(Channel ch, String detail) {
        onConnectFailed(ch, PoolFailureReason.CONNECTION_FAILURE, detail);
    }

    private void onConnectFailed(Channel ch, PoolFailureReason reason, String detail) {
        connecting--;
        total--;
        resources.releaseConnection();
        log.debug(detail);
        int keep = reason == PoolFailureReason.ALPN_CHOSE_HTTP1 ? 0 : connecting * options.maxConcurrentStreams();
        while (pending.size() > keep) {
            PendingStream p = pending.pollLast();
            resources.releasePending();
            p.callbacks.onPoolFailure(reason, detail);
        }
    }

    private void onReady(Channel ch) {
        connecting--;
        if (!ch.isActive()) {
            total--;
            resources.releaseConnection();
            return;
        }
        Active a = new Active(ch, ch.pipeline().get(Http2ClientConnection.class));
        ch.pipeline().get(ClosedHandler.class).active = a;
        ready.add(a);
        if (options.keepaliveInterval() != null) {
            a.codec.startKeepalive(options.keepaliveInterval(), options.keepaliveTimeout());
        }
        servePending(a);
        if (a.codec.activeStreams() == 0) {
            startIdleTimer(a);
        }
    }

    private void servePending(Active a) {
        PendingStream p;
        while (a.hasCapacity() && (p = pending.pollFirst()) != null) {
            resources.releasePending();
            attach(a, p.decoder, p.callbacks);
        }
        if (!pending.isEmpty() && connecting == 0) {
            tryConnect(); // every open connection is full
        }
    }

    // --- Http2ClientConnection.Owner ---

    @Override
    public void onSettings(Http2ClientConnection connection) {
        Active a = find(connection);
        if (a != null) {
            servePending(a);
        }
    }

    @Override
    public void onGoAway(Http2ClientConnection connection) {
        Active a = find(connection);
        if (a != null) {
            log.debug("GOAWAY from {}: no new streams on {}", host, a.channel);
            ready.remove(a);
            if (!pending.isEmpty()) {
                tryConnect();
            }
        }
    }

    @Override
    public void onStreamClosed(Http2ClientConnection connection) {
        Active a = find(connection);
        if (a == null) {
            return;
        }
        if (!pending.isEmpty()) {
            servePending(a);
        }
        if (a.codec.activeStreams() == 0) {
            startIdleTimer(a);
        }
    }

    private Active find(Http2ClientConnection connection) {
        for (int i = 0; i < ready.size(); i++) {
            if (ready.get(i).codec == connection) {
                return ready.get(i);
            }
        }
        return null;
    }

    private void startIdleTimer(Active a) {
        if (config.http2IdleTimeout().isZero() || a.idleTimer != null) {
            return;
        }
        a.idleTimer = eventLoop.schedule(() -> {
            a.idleTimer = null;
            if (a.codec.activeStreams() == 0) {
                log.debug("closing idle upstream HTTP/2 connection {}", a.channel);
                ready.remove(a);
                a.codec.shutdownGracefully();
            }
        }, config.http2IdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onClosed(Active a) {
        total--;
        resources.releaseConnection();
        ready.remove(a);
        if (a.idleTimer != null) {
            a.idleTimer.cancel(false);
        }
        if (!pending.isEmpty() && connecting == 0) {
            tryConnect();
        }
    }

    @Override
    public int connections() {
        return total;
    }

    @Override
    public int idleConnections() {
        int n = 0;
        for (Active a : ready) {
            n += a.codec.activeStreams() == 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public int busyConnections() {
        return ready.size() - idleConnections();
    }

    @Override
    public int pendingRequests() {
        return pending.size();
    }

    @Override
    public void closeIdle() {
        for (Active a : new ArrayList<>(ready)) {
            if (a.codec.activeStreams() == 0) {
                ready.remove(a);
                a.codec.shutdownGracefully();
            }
        }
    }

    /** Last in the connection's pipeline: tells the pool when the connection is gone. */
    private final class ClosedHandler extends ChannelInboundHandlerAdapter {
        Active active;

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (active != null) {
                onClosed(active);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("upstream HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }
}
