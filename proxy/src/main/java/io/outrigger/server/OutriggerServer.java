package io.outrigger.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import io.outrigger.admin.AdminServer;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.http.AccessLog;
import io.outrigger.http.InternalAddresses;
import io.outrigger.http.ListenerContext;
import io.outrigger.tracing.Tracing;
import io.outrigger.listener.ListenerInitializer;
import io.outrigger.router.RouteTable;
import io.outrigger.overload.OverloadManager;
import io.outrigger.stats.Metrics;
import io.outrigger.tls.CertificateReloader;
import io.outrigger.tls.ServerTlsContexts;
import io.outrigger.upstream.ClusterManager;
import io.outrigger.worker.ThreadLocalCluster;
import io.outrigger.worker.Worker;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: one acceptor thread, N worker event loops (each with its own {@link Worker}), the
 * listeners and the admin server. Built from a validated config; {@link #close()} stops it.
 */
public final class OutriggerServer implements AutoCloseable {
    private final Map<String, RouteTable> routeTables = new java.util.LinkedHashMap<>();
    private static final Logger log = LoggerFactory.getLogger(OutriggerServer.class);
    /** Per-connection write buffer marks: above the high mark the peer stops being read from. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final EventLoopGroup maintenance;
    private final List<Channel> listeners = new ArrayList<>();
    private final Map<String, InetSocketAddress> boundAddresses = new LinkedHashMap<>();
    private final AdminServer admin;
    private CertificateReloader reloader;
    private ClusterManager clusterManager;
    private final Metrics metrics = new Metrics();
    private final OverloadManager overload;
    private final OutriggerConfig config;
    private Tracing tracing = Tracing.DISABLED;
    private volatile boolean failedByOperator;
    private volatile boolean drained;

    private OutriggerServer(OutriggerConfig config, FilterChains filters, int workerThreads, Path adminAddressPath)
            throws Exception {
        this.config = config;
        Transport transport = Transport.detect();
        acceptor = new MultiThreadIoEventLoopGroup(1, transport.ioHandler());
        overload = new OverloadManager(config.overloadManager());
        overload.start(acceptor.next());
        workers = new MultiThreadIoEventLoopGroup(workerThreads, transport.ioHandler());
        maintenance = new MultiThreadIoEventLoopGroup(1, transport.ioHandler()); // health checks, outlier reviews
        try {
            tracing = Tracing.create(config.tracing());
            metrics.registerTracing(tracing);
            if (tracing.enabled()) {
                log.info("tracing: {}", tracing);
            }
            ClusterManager clusters = ClusterManager.build(config);
            clusterManager = clusters;
            metrics.registerClusters(clusters);
            Map<EventLoop, Worker> byLoop = new IdentityHashMap<>();
            for (EventExecutor e : workers) {
                EventLoop loop = (EventLoop) e;
                byLoop.put(loop, new Worker(loop, clusters, transport.socketChannel()));
            }
            // A host leaving load balancing: each worker closes its idle connections to it, on its own loop.
            clusters.startMaintenance(maintenance.next(), transport.socketChannel(), (cluster, host) -> {
                for (Worker w : byLoop.values()) {
                    w.eventLoop().execute(() -> {
                        ThreadLocalCluster tlc = w.cluster(cluster.name());
                        if (tlc != null) {
                            tlc.closeIdle(host);
                        }
                    });
                }
            });
            List<ServerTlsContexts> tlsListeners = new ArrayList<>();
            for (ListenerConfig l : config.listeners()) {
                ServerTlsContexts tls = l.tls() == null ? null : ServerTlsContexts.build(l.name(), l.tls());
                if (tls != null) {
                    tlsListeners.add(tls);
                }
                RouteTable routes = RouteTable.build(l);
                routeTables.put(l.name(), routes);
                ListenerContext ctx = new ListenerContext(l.name(), tls == null ? "http" : "https", routes,
                        filters.forListener(l.name()), ListenerContext.DEFAULT_BUFFER_LIMIT, AccessLog.of(l.accessLogs()),
                        metrics.listener(l.name()), l.alwaysSetRequestIdInResponse(),
                        new InternalAddresses(l.internalAddressConfig().cidrRanges()), l.preserveExternalRequestId(), tracing,
                        l.upgradeConfigs(), l.streamIdleTimeout(), l.connection(), overload);
                ServerBootstrap b = new ServerBootstrap()
                        .group(acceptor, workers)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                        .childHandler(new ListenerInitializer(ctx, Map.copyOf(byLoop), tls, l.idleTimeout()));
                Channel ch = b.bind(l.address().host(), l.address().port()).sync().channel();
                listeners.add(ch);
                InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
                boundAddresses.put(l.name(), bound);
                log.info("listener '{}' on {}:{} ({})", l.name(), bound.getHostString(), bound.getPort(),
                        tls != null ? "TLS, ALPN " + String.join(",", l.tls().alpnProtocols())
                                : switch (l.connection().codecType()) {
                                    case HTTP1 -> "HTTP/1.1";
                                    case HTTP2 -> "HTTP/2 prior knowledge";
                                    case AUTO -> "HTTP/1.1, h2c";
                                });
            }
            reloader = CertificateReloader.start(tlsListeners);
            admin = AdminServer.start(config, acceptor, transport, this, byLoop, clusters, adminAddressPath);
            log.info("outrigger started: {} workers, {} transport", workerThreads, transport.name());
        } catch (Exception e) {
            if (reloader != null) {
                reloader.close();
            }
            overload.close();
            shutdownGroups();
            tracing.close();
            throw e;
        }
    }

    /**
     * Starts a proxy for {@code config}.
     *
     * @param filters          the resolved HTTP filter chains (see {@link FilterChains#build})
     * @param workerThreads    number of worker event loops (at least 1)
     * @param adminAddressPath if not {@code null}, the bound admin address is written there (Envoy's
     *                         {@code --admin-address-path}), useful with port 0
     * @throws Exception when a listener cannot bind or an endpoint does not resolve; nothing stays running
     */
    public static OutriggerServer start(OutriggerConfig config, FilterChains filters, int workerThreads,
                                        Path adminAddressPath) throws Exception {
        return new OutriggerServer(config, filters, workerThreads, adminAddressPath);
    }

    /** The address each listener bound, by listener name. */
    public Map<String, InetSocketAddress> listenerAddresses() {
        return Map.copyOf(boundAddresses);
    }

    /**
     * Whether to report ready: every listener bound, every health-checked cluster has a first result for
     * each host, and no operator asked to fail ({@code /healthcheck/fail}) or drain.
     */
    public boolean ready() {
        if (failedByOperator || drained) {
            return false;
        }
        for (Channel c : listeners) {
            if (!c.isActive()) {
                return false;
            }
        }
        for (var c : clusterManager.all()) {
            if (!c.initialHealthChecksDone()) {
                return false;
            }
        }
        return true;
    }

    /** {@code /healthcheck/fail} ({@code true}) and {@code /healthcheck/ok} ({@code false}): readiness for draining. */
    public void setFailedByOperator(boolean failed) {
        this.failedByOperator = failed;
    }

    /**
     * Stops accepting new connections on every listener (Envoy's {@code /drain_listeners}); open connections
     * go on until their clients close them. Readiness turns false.
     */
    public void drainListeners() {
        drained = true;
        for (Channel c : listeners) {
            c.close();
        }
        log.info("listeners drained: no new connections are accepted");
    }

    /** Each listener's route table, in config order (for {@code /debug/route}). */
    public Map<String, RouteTable> routeTables() {
        return java.util.Collections.unmodifiableMap(routeTables);
    }

    /** The running configuration. */
    public OutriggerConfig config() {
        return config;
    }

    /** The Prometheus metrics. */
    public Metrics metrics() {
        return metrics;
    }

    /** The admin server's bound address. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.close();
        }
        for (Channel c : listeners) {
            c.close().syncUninterruptibly();
        }
        if (admin != null) {
            admin.close();
        }
        overload.close();
        shutdownGroups();
        tracing.close(); // after the workers: their last spans are exported too
    }

    private void shutdownGroups() {
        maintenance.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        // bounded: a shutdown must end the process even if an event loop fails to report its termination
        // (seen rarely in manual runs; the loops had exited) — the graceful timeouts above are 2 s
        if (!acceptor.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)
                || !workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            log.warn("event loops did not report their termination within 5 s; stopping anyway");
        }
    }
}
