package io.outrigger.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.http1.Http1ClientCodec;
import io.outrigger.codec.http1.Http1ClientStream;
import io.outrigger.config.ConnectionPoolConfig;
import io.outrigger.tls.ClientTlsContext;
import io.outrigger.upstream.ClusterResources;
import io.outrigger.upstream.Host;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kept-alive HTTP/1.1 connections from one worker to one host. Confined to that worker's event loop:
 * plain collections, no locks. One request per connection at a time (no pipelining); idle connections
 * are reused most-recently-used first, so cold ones age out through {@code idle_timeout}.
 *
 * <p>Limits are cluster-wide ({@link ClusterResources}): a new connection needs a free slot under
 * {@code max_connections}, except that a pool with no connection at all may always open one (as Envoy
 * does), so a worker never waits for connections another worker holds. A request that finds no idle
 * connection waits in a FIFO queue bounded by {@code max_pending_requests}; past it, it fails with
 * {@link PoolFailureReason#OVERFLOW} at once.
 */
public final class Http1ConnectionPool implements ConnectionPool {
    private static final Logger log = LoggerFactory.getLogger(Http1ConnectionPool.class);

    private final EventLoop eventLoop;
    private final Host host;
    private final ClusterResources resources;
    private final ConnectionPoolConfig config;
    private final Bootstrap bootstrap;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<PendingStream> pending = new ArrayDeque<>();
    private boolean sweepScheduled;
    private int connecting;
    private int busy;
    private int total;

    /**
     * @param eventLoop      the worker event loop this pool is confined to
     * @param channelFactory creates sockets of the event loop's transport (epoll or NIO)
     * @param connectTimeout TCP connect timeout (the TLS handshake, if any, has its own 10s limit)
     * @param tls            the cluster's client TLS context, or {@code null} for cleartext
     */
    public Http1ConnectionPool(EventLoop eventLoop, Supplier<? extends Channel> channelFactory, Host host,
                               ClusterResources resources, ConnectionPoolConfig config, Duration connectTimeout,
                               ClientTlsContext tls) {
        this.eventLoop = eventLoop;
        this.host = host;
        this.resources = resources;
        this.config = config;
        this.bootstrap = new Bootstrap().group(eventLoop).channelFactory(channelFactory::get)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast("tls", tls.newHandler(ch.alloc(), host.hostname(), host.address().getPort()));
                        }
                        p.addLast("codec", new Http1ClientCodec());
                        p.addLast("pool", new UpstreamConnectionHandler(Http1ConnectionPool.this));
                    }
                });
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }

    /**
     * {@inheritDoc} With {@code fresh}, an idle connection is not used and the request waits for a new one
     * (a retry after a stale keep-alive connection).
     */
    @Override
    public Cancellable newStream(ResponseDecoder decoder, PoolCallbacks callbacks, boolean fresh) {
        assert eventLoop.inEventLoop();
        UpstreamConnection c;
        while (!fresh && (c = idle.pollFirst()) != null) {
            resources.idleConnectionRemoved();
            if (c.channel().isActive() && (c.idleDeadlineNanos == 0 || System.nanoTime() - c.idleDeadlineNanos < 0)) {
                lease(c, decoder, callbacks);
                return null;
            }
            // closed, or past the upstream's Keep-Alive timeout: retire it (onClosed does the accounting)
            c.state = UpstreamConnection.State.CLOSING;
            c.channel().close();
        }
        if (!resources.tryAcquirePending()) {
            callbacks.onPoolFailure(PoolFailureReason.OVERFLOW, "pending request queue full for cluster " + host.cluster());
            return null;
        }
        PendingStream p = new PendingStream(decoder, callbacks, pending, resources);
        pending.addLast(p);
        if (connecting < pending.size() || fresh) {
            tryConnect();
        }
        return p;
    }

    private void tryConnect() {
        if (!resources.tryAcquireConnection(total == 0)) {
            return; // wait for a busy connection of this pool to be released
        }
        connecting++;
        total++;
        ChannelFuture f = bootstrap.connect(host.address());
        f.addListener(future -> onConnect(f));
    }

    private void onConnect(ChannelFuture f) {
        if (!f.isSuccess()) {
            onConnectFailed("connect to " + host + " failed: " + f.cause().getMessage());
            return;
        }
        SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
        if (ssl == null) {
            onReady(f.channel());
            return;
        }
        // A TLS connection is ready once its handshake (and server verification) succeeded.
        ssl.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                onReady(f.channel());
            } else {
                f.channel().close();
                onConnectFailed("TLS handshake with " + host + " failed: " + h.cause().getMessage());
            }
        });
    }

    private void onConnectFailed(String detail) {
        connecting--;
        total--;
        resources.releaseConnection();
        log.debug(detail);
        // Requests that no connection in flight or in use can serve fail now rather than wait.
        while (pending.size() > connecting + busy) {
            failFirstPending(detail);
        }
    }

    private void onReady(Channel ch) {
        connecting--;
        UpstreamConnection c = new UpstreamConnection(ch, this);
        ch.pipeline().get(UpstreamConnectionHandler.class).attach(c);
        if (!ch.isActive()) {
            c.state = UpstreamConnection.State.CLOSING;
            return;
        }
        serveOrIdle(c);
    }

    private void serveOrIdle(UpstreamConnection c) {
        PendingStream p = pending.pollFirst();
        if (p != null) {
            resources.releasePending();
            lease(c, p.decoder, p.callbacks);
        } else {
            c.state = UpstreamConnection.State.IDLE;
            c.idleSinceNanos = System.nanoTime();
            idle.addFirst(c);
            resources.idleConnectionAdded();
            scheduleIdleSweep(config.http1IdleTimeout().toNanos());
        }
    }

    // idle_timeout without a per-connection timer: the idle deque is ordered by age (newest first), so one
    // task per pool closes the expired tail and re-arms for the next oldest.
    private void scheduleIdleSweep(long delayNanos) {
        if (sweepScheduled || config.http1IdleTimeout().isZero() || idle.isEmpty()) {
            return;
        }
        sweepScheduled = true;
        eventLoop.schedule(this::sweepIdle, Math.max(delayNanos, 1_000_000L), TimeUnit.NANOSECONDS);
    }

    private void sweepIdle() {
        sweepScheduled = false;
        long now = System.nanoTime();
        long timeout = config.http1IdleTimeout().toNanos();
        UpstreamConnection oldest;
        while ((oldest = idle.peekLast()) != null && now - oldest.idleSinceNanos >= timeout) {
            idle.pollLast();
            resources.idleConnectionRemoved();
            oldest.state = UpstreamConnection.State.CLOSING;
            log.debug("closing idle upstream connection {}", oldest.channel());
            oldest.channel().close();
        }
        if (oldest != null) {
            scheduleIdleSweep(timeout - (now - oldest.idleSinceNanos));
        }
    }

    private void lease(UpstreamConnection c, ResponseDecoder decoder, PoolCallbacks callbacks) {
        c.state = UpstreamConnection.State.BUSY;
        c.requests++;
        busy++;
        Http1ClientStream stream = new Http1ClientStream(c, decoder);
        c.stream = stream;
        callbacks.onPoolReady(stream, c.reused());
    }

    void release(UpstreamConnection c, boolean reusable, long keepAliveTimeoutMs) {
        if (c.state != UpstreamConnection.State.BUSY) {
            return; // already closed under the lease
        }
        busy--;
        c.stream = null;
        boolean keep = reusable && c.channel().isActive()
                && (config.maxRequestsPerConnection() == 0 || c.requests < config.maxRequestsPerConnection());
        if (!keep) {
            c.state = UpstreamConnection.State.CLOSING;
            c.channel().close();
            return;
        }
        c.channel().config().setAutoRead(true);
        // Honour the upstream's Keep-Alive: timeout=N by retiring the connection half a second before N.
        c.idleDeadlineNanos = keepAliveTimeoutMs > 0 ? System.nanoTime() + (keepAliveTimeoutMs - 500) * 1_000_000L : 0;
        serveOrIdle(c);
    }

    void onClosed(UpstreamConnection c) {
        UpstreamConnection.State was = c.state;
        c.state = UpstreamConnection.State.CLOSED;
        total--;
        resources.releaseConnection();
        if (was == UpstreamConnection.State.IDLE && idle.remove(c)) {
            resources.idleConnectionRemoved();
        } else if (was == UpstreamConnection.State.BUSY) {
            busy--;
            Http1ClientStream stream = c.stream;
            c.stream = null;
            if (stream != null) {
                stream.onConnectionClosed();
            }
        }
        if (connecting < pending.size()) {
            tryConnect();
        }
    }

    private void failFirstPending(String detail) {
        PendingStream p = pending.pollFirst();
        resources.releasePending();
        p.callbacks.onPoolFailure(PoolFailureReason.CONNECTION_FAILURE, detail);
    }

    @Override
    public int connections() {
        return total;
    }

    @Override
    public int idleConnections() {
        return idle.size();
    }

    @Override
    public int busyConnections() {
        return busy;
    }

    @Override
    public int pendingRequests() {
        return pending.size();
    }

    @Override
    public void closeIdle() {
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            resources.idleConnectionRemoved();
            c.state = UpstreamConnection.State.CLOSING;
            c.channel().close();
        }
    }
}
