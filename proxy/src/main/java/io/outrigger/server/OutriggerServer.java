package io.outrigger.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.outrigger.admin.AdminServer;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.tracing.Tracing;
import io.outrigger.router.RouteTable;
import io.outrigger.overload.OverloadManager;
import io.outrigger.stats.Metrics;
import io.outrigger.tls.CertificateReloader;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterManager;
import io.outrigger.worker.ThreadLocalCluster;
import io.outrigger.worker.Worker;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: one acceptor thread, N worker event loops (each with its own {@link Worker}), the
 * listeners and the admin server. Built from a validated config; {@link #close()} stops it.
 *
 * <p>The acceptor's loop also runs what is not on a request's path — the admin server, the overload manager's
 * polls, active health checks and outlier reviews — as Envoy's main thread does. A loop of its own for them cost a
 * thread once health checks ran and, on io_uring, ~1 MiB of RSS even idle: Netty makes each io_uring event loop
 * with 1,024 {@code msghdr} slots (8,205 {@code ByteBuffer} views, 0.6 MiB of heap, measured) and a 10,240-entry
 * {@code iovec} array.
 */
public final class OutriggerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutriggerServer.class);

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Transport transport;
    private final Map<EventLoop, Worker> byLoop = new IdentityHashMap<>();
    private ListenerManager listeners;
    private final AdminServer admin;
    private volatile CertificateReloader reloader;
    private ClusterManager clusterManager;
    private final Metrics metrics = new Metrics();
    private final OverloadManager overload;
    private volatile OutriggerConfig config;
    private volatile FilterChains filters;
    private volatile long configVersion = 1;
    private Tracing tracing = Tracing.DISABLED;
    private volatile boolean failedByOperator;
    private volatile boolean drained;
    private volatile boolean initialized; // ready once: first health checks were done

    private OutriggerServer(OutriggerConfig config, FilterChains filters, int workerThreads, Path adminAddressPath)
            throws Exception {
        this.config = config;
        this.filters = filters;
        // the acceptor (with admin, overload polls, health checks and outlier reviews) and the workers
        EventLoopGroups loops = EventLoopGroups.create(Transport.detect(), 1, workerThreads);
        transport = loops.transport();
        acceptor = loops.groups().get(0);
        workers = loops.groups().get(1);
        overload = new OverloadManager(config.overloadManager());
        overload.start(acceptor.next());
        try {
            tracing = Tracing.create(config.tracing());
            metrics.registerTracing(tracing);
            if (tracing.enabled()) {
                log.info("tracing: {}", tracing);
            }
            ClusterManager clusters = ClusterManager.build(config);
            clusterManager = clusters;
            metrics.registerClusters(clusters);
            for (EventExecutor e : workers) {
                EventLoop loop = (EventLoop) e;
                byLoop.put(loop, new Worker(loop, clusters, transport.socketChannel()));
            }
            // A host leaving load balancing: each worker closes its idle connections to it, on its own loop.
            clusters.startMaintenance(acceptor.next(), transport.socketChannel(), transport.datagramChannel(), (cluster, host) -> {
                for (Worker w : byLoop.values()) {
                    w.eventLoop().execute(() -> {
                        ThreadLocalCluster tlc = w.cluster(cluster.name());
                        if (tlc != null) {
                            tlc.closeIdle(host);
                        }
                    });
                }
            });
            listeners = new ListenerManager(acceptor, workers, transport, byLoop, metrics, overload, tracing,
                    () -> !failedByOperator && !drained);
            listeners.start(config.listeners(), filters);
            reloader = CertificateReloader.start(listeners.tlsContexts());
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

    /**
     * Applies a new validated config as a difference (call from one thread at a time, never an event loop): unchanged
     * clusters keep their pools, health and outlier state; changed ones are replaced (their hosts keep their places on
     * a ring or Maglev table, which hash by address); removed ones retire. An unchanged listener keeps everything; a
     * changed one keeps its socket and connections, and its new settings apply to streams and connections that begin
     * after this; a new one binds; a removed one stops accepting and drains. Nothing is applied when anything fails
     * (an endpoint name, a TLS file, a port that cannot be bound).
     *
     * @return the outcome, with the version in force
     */
    public synchronized ReloadResult apply(OutriggerConfig next, FilterChains nextFilters) {
        OutriggerConfig current = config;
        if (next.listeners().equals(current.listeners()) && next.clusters().equals(current.clusters())
                && java.util.Objects.equals(next.tracing(), current.tracing())
                && next.overloadManager().equals(current.overloadManager()) && next.admin().equals(current.admin())) {
            return new ReloadResult(ReloadResult.Outcome.UNCHANGED, configVersion, List.of(), List.of());
        }
        ClusterManager.Update clusters;
        ListenerManager.Update listenerUpdate;
        try {
            clusters = clusterManager.prepare(next);
            listenerUpdate = listeners.prepare(next.listeners(), nextFilters);
        } catch (Exception e) {
            log.warn("config reload rejected, version {} stays: {}", configVersion, e.toString());
            return ReloadResult.rejected(configVersion, List.of(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        // nothing below fails: publish
        List<String> changes = new ArrayList<>();
        for (Cluster c : clusters.added()) {
            metrics.bindCluster(c);
            changes.add("cluster '" + c.name() + "' " + (current.cluster(c.name()).isPresent() ? "replaced" : "added"));
        }
        for (ClusterManager.EndpointUpdate u : clusters.endpointUpdates()) {
            changes.add("cluster '" + u.cluster().name() + "' endpoints " + u.change());
        }
        for (Cluster c : clusters.retired()) {
            if (clusters.next().get(c.name()) == null) {
                changes.add("cluster '" + c.name() + "' removed");
            }
        }
        clusterManager.apply(clusters);
        for (Worker w : byLoop.values()) {
            w.eventLoop().execute(w::onClustersChanged);
        }
        changes.addAll(listeners.commit(listenerUpdate));
        if (!java.util.Objects.equals(next.tracing(), current.tracing()) || !next.admin().equals(current.admin())
                || !next.overloadManager().equals(current.overloadManager())) {
            changes.add("admin, tracing and overload_manager changes take effect at the next start");
        }
        CertificateReloader before = reloader;
        reloader = CertificateReloader.start(listeners.tlsContexts());
        if (before != null) {
            before.close();
        }
        config = next;
        filters = nextFilters;
        configVersion++;
        log.info("config version {} applied: {}", configVersion, changes.isEmpty() ? "no visible change" : String.join("; ", changes));
        return new ReloadResult(ReloadResult.Outcome.APPLIED, configVersion, changes, List.of());
    }

    private volatile ConfigWatcher configWatcher;
    private volatile DynamicConfigSource dynamicSource;

    /** Attaches the control plane (xDS) that also configures this server; readiness waits for its first set. */
    public void setDynamicSource(DynamicConfigSource source) {
        this.dynamicSource = source;
    }

    /** The control plane attached, or {@code null}. */
    public DynamicConfigSource dynamicSource() {
        return dynamicSource;
    }

    /** Attaches the reloader of the config file ({@code POST /reload}, reload counters); none in {@code demo}. */
    public void setConfigWatcher(ConfigWatcher watcher) {
        this.configWatcher = watcher;
        metrics.registerReloads(watcher::applied, watcher::failed, () -> configVersion);
    }

    /** The config file's reloader, or {@code null} when the config did not come from a file. */
    public ConfigWatcher configWatcher() {
        return configWatcher;
    }

    /** The config version in force: 1 at start, +1 per applied reload. */
    public long configVersion() {
        return configVersion;
    }

    /**
     * The server's drain (SIGTERM): readiness fails at once; listeners with {@code drain_type: default} tell their open
     * connections to finish and close (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY) and end every later
     * connection after one request, keep accepting for {@code minDrainTime} (while load balancers and Kubernetes
     * endpoints stop sending), then stop accepting. Returns once no connection is open on any listener after that —
     * {@code modify_only} listeners keep serving until their clients (the app) close — or at {@code drainTime}.
     * Blocks the calling thread (never an event loop); polls every 50 ms.
     *
     * @return connections still open when it returned (0: everything finished)
     */
    public int drain(java.time.Duration minDrainTime, java.time.Duration drainTime) throws InterruptedException {
        drained = true;
        return listeners.drain(minDrainTime, drainTime);
    }

    /** The address each listener bound, by listener name. */
    public Map<String, InetSocketAddress> listenerAddresses() {
        return listeners.addresses();
    }

    /**
     * Whether to report ready: every listener bound, every health-checked cluster has a first result for
     * each host, and no operator asked to fail ({@code /healthcheck/fail}) or drain.
     */
    public boolean ready() {
        if (failedByOperator || drained) {
            return false;
        }
        DynamicConfigSource dynamic = dynamicSource;
        if (dynamic != null && !dynamic.initialized()) {
            return false; // Envoy's initialization: the control plane's first complete set is not applied yet
        }
        if (!listeners.allActive()) {
            return false;
        }
        if (initialized) {
            return true; // clusters a reload adds warm up without taking the server out of its Service
        }
        for (var c : clusterManager.all()) {
            if (!c.initialHealthChecksDone()) {
                return false;
            }
        }
        initialized = true;
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
        listeners.stopAccepting();
        log.info("listeners drained: no new connections are accepted");
    }

    /** Each listener's route table, in config order (for {@code /debug/route}). */
    public Map<String, RouteTable> routeTables() {
        return listeners.routeTables();
    }

    /** The HTTP filter chains of the running configuration. */
    public FilterChains filters() {
        return filters;
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
        if (configWatcher != null) {
            configWatcher.close();
        }
        if (reloader != null) {
            reloader.close();
        }
        if (listeners != null) {
            listeners.close();
        }
        if (admin != null) {
            admin.close();
        }
        overload.close();
        shutdownGroups();
        tracing.close(); // after the workers: their last spans are exported too
    }

    private void shutdownGroups() {
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
