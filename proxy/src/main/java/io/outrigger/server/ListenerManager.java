package io.outrigger.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.outrigger.config.ListenerConfig;
import io.outrigger.http.AccessLog;
import io.outrigger.http.InternalAddresses;
import io.outrigger.http.ListenerContext;
import io.outrigger.listener.ListenerInitializer;
import io.outrigger.listener.QuicListener;
import io.outrigger.overload.OverloadManager;
import io.outrigger.router.RouteTable;
import io.outrigger.stats.Metrics;
import io.outrigger.tls.ServerTlsContexts;
import io.outrigger.tracing.Tracing;
import io.outrigger.worker.Worker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound listeners (Envoy's listener manager): binds them, applies a reload's difference to them ({@link #prepare},
 * then {@link #commit} or {@link #abort}), and drains them. The map of running listeners is replaced whole, with one
 * volatile write; changes come from one thread at a time (start, the config thread, the drain thread).
 */
final class ListenerManager {
    private static final Logger log = LoggerFactory.getLogger(ListenerManager.class);
    /** Per-connection write buffer marks: above the high mark the peer stops being read from. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /**
     * A bound listener: its config, server socket, connection initializer (which holds its live settings), and its
     * HTTP/3 side ({@code null} when it has none).
     */
    record RunningListener(ListenerConfig config, Channel channel, ListenerInitializer init, ServerTlsContexts tls,
                           QuicListener quic) {
        /** Stops accepting on TCP and QUIC; open connections go on (QUIC's UDP sockets serve them until closed). */
        void stopAccepting() {
            channel.close();
            init.stopAccepting();
        }

        /** Closes every socket, once the connections are done or {@code maxWait} passed (QUIC's die with their socket). */
        void closeWhenDrained(Duration maxWait) {
            if (quic == null) {
                return;
            }
            long deadline = System.nanoTime() + maxWait.toNanos();
            io.netty.util.concurrent.GlobalEventExecutor.INSTANCE.execute(new Runnable() {
                @Override
                public void run() {
                    if (init.openConnections() == 0 || System.nanoTime() - deadline > 0) {
                        quic.close();
                    } else {
                        io.netty.util.concurrent.GlobalEventExecutor.INSTANCE.schedule(this, 100, TimeUnit.MILLISECONDS);
                    }
                }
            });
        }
    }

    /** How long a listener removed by a reload keeps its QUIC sockets for the connections still open. */
    private static final Duration REMOVED_QUIC_DRAIN = Duration.ofSeconds(30);

    /**
     * What a reload changes, prepared but not applied: the next configs, the new settings of listeners that keep their
     * socket, and the listeners already bound for new names or addresses.
     */
    record Update(List<ListenerConfig> next, Map<String, ListenerInitializer> updated, Map<String, RunningListener> added) {
    }

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Transport transport;
    private final Map<EventLoop, Worker> byLoop;
    private final Metrics metrics;
    private final OverloadManager overload;
    private final Tracing tracing;
    private final java.util.function.BooleanSupplier serverLive;
    private volatile Map<String, RunningListener> listeners = Map.of();

    ListenerManager(EventLoopGroup acceptor, EventLoopGroup workers, Transport transport, Map<EventLoop, Worker> byLoop,
                    Metrics metrics, OverloadManager overload, Tracing tracing, java.util.function.BooleanSupplier serverLive) {
        this.serverLive = serverLive;
        this.acceptor = acceptor;
        this.workers = workers;
        this.transport = transport;
        this.byLoop = Map.copyOf(byLoop);
        this.metrics = metrics;
        this.overload = overload;
        this.tracing = tracing;
    }

    /**
     * Binds every listener of a starting server.
     *
     * @throws Exception when a listener cannot bind or its TLS files cannot be used; none stays bound
     */
    void start(List<ListenerConfig> configs, FilterChains filters) throws Exception {
        Map<String, RunningListener> bound = new LinkedHashMap<>();
        try {
            for (ListenerConfig l : configs) {
                bound.put(l.name(), bind(l, newInitializer(l, filters)));
            }
        } catch (Exception e) {
            bound.values().forEach(r -> r.channel().close());
            throw e;
        }
        listeners = Collections.unmodifiableMap(bound);
    }

    /**
     * Prepares a reload: builds the settings of changed listeners and binds new ones (a listener whose address changed
     * is a new one). Nothing running changes.
     *
     * @throws Exception when TLS files cannot be used or an address cannot be bound; what was bound is closed
     */
    Update prepare(List<ListenerConfig> next, FilterChains filters) throws Exception {
        Map<String, ListenerInitializer> updated = new LinkedHashMap<>();
        Map<String, RunningListener> added = new LinkedHashMap<>();
        Map<String, RunningListener> old = listeners;
        try {
            for (ListenerConfig l : next) {
                RunningListener r = old.get(l.name());
                if (r != null && r.config().equals(l)) {
                    continue;
                }
                if (r != null && r.config().address().equals(l.address())) {
                    if (!java.util.Objects.equals(r.config().http3(), l.http3())) {
                        throw new IllegalArgumentException("listener '" + l.name() + "': a change of http3 on a running"
                                + " listener needs a restart (its UDP sockets keep their QUIC settings)");
                    }
                    updated.put(l.name(), newInitializer(l, filters));
                } else {
                    added.put(l.name(), bind(l, newInitializer(l, filters)));
                }
            }
        } catch (Exception e) {
            added.values().forEach(r -> r.channel().close());
            throw e;
        }
        return new Update(next, updated, added);
    }

    /** Drops a prepared update (another part of the reload failed): closes what it bound. */
    void abort(Update u) {
        u.added().values().forEach(r -> r.channel().close());
    }

    /**
     * Applies a prepared update: changed listeners take their new settings (streams and connections that begin from now
     * on), new ones start serving, removed or moved ones stop accepting and drain.
     *
     * @return what changed, one line each
     */
    List<String> commit(Update u) {
        List<String> changes = new ArrayList<>();
        Map<String, RunningListener> old = listeners;
        Map<String, RunningListener> running = new LinkedHashMap<>();
        for (ListenerConfig l : u.next()) {
            RunningListener r = old.get(l.name());
            ListenerInitializer fresh = u.updated().get(l.name());
            if (fresh != null) {
                r.init().update(fresh.context(), fresh.tls(), l.idleTimeout());
                running.put(l.name(), new RunningListener(l, r.channel(), r.init(), fresh.tls(), r.quic()));
                changes.add("listener '" + l.name() + "' updated");
            } else if (u.added().containsKey(l.name())) {
                running.put(l.name(), u.added().get(l.name()));
                changes.add("listener '" + l.name() + "' added");
            } else {
                running.put(l.name(), r);
            }
        }
        for (RunningListener r : old.values()) {
            RunningListener now = running.get(r.config().name());
            if (now == null || now.channel() != r.channel()) {
                r.stopAccepting(); // open connections finish their requests and close
                r.init().drain();
                r.init().closeIdle(); // no load balancer sends here any more
                r.closeWhenDrained(REMOVED_QUIC_DRAIN);
                if (now == null) {
                    changes.add("listener '" + r.config().name() + "' removed");
                }
            }
        }
        listeners = Collections.unmodifiableMap(running);
        return changes;
    }

    /**
     * The server's drain (SIGTERM); see {@link OutriggerServer#drain}. Blocks the calling thread; polls every 50 ms.
     *
     * @return connections still open when it returned
     */
    int drain(Duration minDrainTime, Duration drainTime) throws InterruptedException {
        long start = System.nanoTime();
        List<RunningListener> draining = new ArrayList<>();
        for (RunningListener r : listeners.values()) {
            if (r.config().drainType() == ListenerConfig.DrainType.DEFAULT) {
                r.init().drain();
                draining.add(r);
            }
        }
        log.info("draining: {} listener(s) close their connections; accepting for {} ms more, exit at the latest in {} ms",
                draining.size(), minDrainTime.toMillis(), drainTime.toMillis());
        boolean accepting = true;
        while (true) {
            long elapsed = System.nanoTime() - start;
            if (accepting && elapsed >= minDrainTime.toNanos()) {
                accepting = false;
                for (RunningListener r : draining) {
                    r.stopAccepting();
                    r.init().closeIdle();
                }
            }
            int open = 0;
            for (RunningListener r : listeners.values()) {
                open += r.init().openConnections();
            }
            if (!accepting && open == 0 || elapsed >= drainTime.toNanos()) {
                log.info("drained in {} ms: {} connection(s) left", TimeUnit.NANOSECONDS.toMillis(elapsed), open);
                return open;
            }
            Thread.sleep(50); // polling the connection counts
        }
    }

    /** Stops accepting on every listener (Envoy's {@code /drain_listeners}); open connections go on. */
    void stopAccepting() {
        for (RunningListener r : listeners.values()) {
            r.stopAccepting();
        }
    }

    /** Whether every listener's socket is bound and accepting. */
    boolean allActive() {
        for (RunningListener r : listeners.values()) {
            if (!r.channel().isActive() || r.quic() != null && !r.quic().isActive()) {
                return false;
            }
        }
        return true;
    }

    /** The address each listener bound, by listener name, in config order. */
    Map<String, InetSocketAddress> addresses() {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        for (RunningListener r : listeners.values()) {
            out.put(r.config().name(), (InetSocketAddress) r.channel().localAddress());
        }
        return out;
    }

    /** Each listener's current route table, in config order. */
    Map<String, RouteTable> routeTables() {
        Map<String, RouteTable> out = new LinkedHashMap<>();
        for (RunningListener r : listeners.values()) {
            out.put(r.config().name(), r.init().context().routeTable());
        }
        return out;
    }

    /** The TLS listeners' server contexts (for certificate reloading). */
    List<ServerTlsContexts> tlsContexts() {
        List<ServerTlsContexts> out = new ArrayList<>();
        for (RunningListener r : listeners.values()) {
            if (r.tls() != null) {
                out.add(r.tls());
            }
        }
        return out;
    }

    /** Closes every listener's socket and waits for it. */
    void close() {
        for (RunningListener r : listeners.values()) {
            r.channel().close().syncUninterruptibly();
            if (r.quic() != null) {
                r.quic().close();
            }
        }
    }

    /** A listener's connection initializer for {@code l}; reads its TLS files (call off the event loops). */
    private ListenerInitializer newInitializer(ListenerConfig l, FilterChains filters) throws Exception {
        ServerTlsContexts tls = l.tls() == null ? null : ServerTlsContexts.build(l.name(), l.tls(), l.http3());
        ListenerContext context = new ListenerContext(l.name(), tls == null ? "http" : "https", RouteTable.build(l, filters.routeConfigs()),
                filters.forListener(l.name()), ListenerContext.DEFAULT_BUFFER_LIMIT, AccessLog.of(l.accessLogs()),
                metrics.listener(l.name()), l.alwaysSetRequestIdInResponse(),
                new InternalAddresses(l.internalAddressConfig().cidrRanges()), l.preserveExternalRequestId(), tracing,
                l.upgradeConfigs(), l.streamIdleTimeout(), l.connection(), overload, serverLive);
        return new ListenerInitializer(context, byLoop, tls, l.idleTimeout());
    }

    private RunningListener bind(ListenerConfig l, ListenerInitializer init) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(init);
        Channel ch = b.bind(l.address().host(), l.address().port()).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
        QuicListener quic = null;
        if (l.http3() != null) {
            try {
                List<EventLoop> loops = new ArrayList<>();
                workers.forEach(e -> loops.add((EventLoop) e));
                quic = QuicListener.bind(l.name(), l.address().host(), bound.getPort(), l.http3(), init, loops,
                        transport.datagramChannel(), transport.reusePort());
            } catch (InterruptedException | RuntimeException e) {
                ch.close();
                throw e;
            }
            init.advertiseHttp3(bound.getPort());
        }
        ServerTlsContexts tls = init.tls();
        log.info("listener '{}' on {}:{} ({})", l.name(), bound.getHostString(), bound.getPort(),
                tls != null ? "TLS, ALPN " + String.join(",", l.tls().alpnProtocols())
                        : switch (l.connection().codecType()) {
                            case HTTP1 -> "HTTP/1.1";
                            case HTTP2 -> "HTTP/2 prior knowledge";
                            case AUTO -> "HTTP/1.1, h2c";
                        });
        return new RunningListener(l, ch, init, tls, quic);
    }
}
