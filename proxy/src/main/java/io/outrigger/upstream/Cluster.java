package io.outrigger.upstream;

import io.outrigger.config.ClusterConfig;
import io.outrigger.tls.ClientTlsContext;
import io.outrigger.upstream.lb.LoadBalancerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster as the data plane sees it, shared by all workers: its config, hosts, counters, client TLS
 * context, and the current {@link HostSet}, an immutable snapshot swapped with one volatile write when a
 * host's health changes. Rebuilding (a ring) happens on the caller's thread, never an event loop's.
 */
public final class Cluster {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final List<Host> hosts;
    private final ClusterResources resources;
    private final ClusterStats stats = new ClusterStats();
    // per priority level (ascending), picks by the balancers of all workers; only with more than one level
    private final java.util.concurrent.atomic.LongAdder[] levelPicks;
    private final ClientTlsContext tls;
    private volatile HostSet hostSet;
    private volatile Consumer<Host> onHostUnhealthy = h -> { };
    private volatile OutlierDetector outlierDetector;
    private volatile boolean initialHealthChecksDone;
    /** The last host-set changes of a hashing cluster, newest last; guarded by {@code this}. */
    private final java.util.ArrayDeque<HostSetChange> changes = new java.util.ArrayDeque<>();
    static final int MAX_CHANGES = 16;

    public Cluster(ClusterConfig config, List<Host> hosts, ClusterResources resources, ClientTlsContext tls) {
        this.config = config;
        this.hosts = List.copyOf(hosts);
        this.resources = resources;
        this.tls = tls;
        this.levelPicks = new java.util.concurrent.atomic.LongAdder[(int) hosts.stream().mapToInt(Host::priority).distinct().count()];
        for (int i = 0; i < levelPicks.length; i++) {
            levelPicks[i] = new java.util.concurrent.atomic.LongAdder();
        }
        this.hostSet = build();
    }

    public ClusterConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public List<Host> hosts() {
        return hosts;
    }

    public ClusterResources resources() {
        return resources;
    }

    public ClusterStats stats() {
        return stats;
    }

    /** The client TLS context, or {@code null} for cleartext upstream connections. */
    public ClientTlsContext tls() {
        return tls;
    }

    /** The cluster's outlier detector, or {@code null} without {@code outlier_detection}. */
    public OutlierDetector outlierDetector() {
        return outlierDetector;
    }

    void setOutlierDetector(OutlierDetector detector) {
        this.outlierDetector = detector;
    }

    /** Whether every host has a first active health-check result (always true without health_check). */
    public boolean initialHealthChecksDone() {
        return initialHealthChecksDone || config.healthCheck() == null;
    }

    void markInitialHealthChecksDone() {
        initialHealthChecksDone = true;
    }

    /** Picks per priority level (ascending, as {@link HostSet#priorities()}); all zero with a single level. */
    public long[] levelPicks() {
        long[] out = new long[levelPicks.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = levelPicks[i].sum();
        }
        return out;
    }

    /** The current snapshot (one volatile read). */
    public HostSet hostSet() {
        return hostSet;
    }

    /** Who to tell when a host becomes unhealthy (to close its pooled connections). */
    public void onHostUnhealthy(Consumer<Host> listener) {
        this.onHostUnhealthy = listener;
    }

    /**
     * Rebuilds and publishes the snapshot after a host's health changed. Call off the event loops.
     *
     * @param changed the host whose health changed
     */
    public synchronized void healthChanged(Host changed) {
        if (changed.health().healthy()) {
            changed.beginSlowStart(System.nanoTime()); // slow_start_config ramps its weight from now
        }
        HostSet previous = hostSet;
        HostSet next = build();
        hostSet = next;
        if (previous.lbFactory().hashStructure() != null && next.lbFactory().hashStructure() != null) {
            String state = changed.health().healthy() ? "healthy" : changed.health().ejected() ? "ejected" : "unhealthy";
            changes.addLast(HostSetChange.measure(previous.lbFactory().hashStructure(), next.lbFactory().hashStructure(),
                    changed.addressString() + " now " + state, System.nanoTime()));
            if (changes.size() > MAX_CHANGES) {
                changes.removeFirst();
            }
        }
        log.info("cluster '{}': host {} is now {}; {} of {} hosts in use{}{}", name(), changed,
                changed.health().healthy() ? "healthy" : changed.health().ejected() ? "ejected" : "unhealthy",
                next.eligible().size(), hosts.size(), next.panic() ? " (panic mode: all hosts)" : "",
                next.priorities().size() > 1 ? "; priority load " + java.util.Arrays.toString(next.load().loads()) : "");
        if (!changed.health().healthy()) {
            onHostUnhealthy.accept(changed);
        }
    }

    /** The last host-set changes' disruption (hashing policies only), newest first; at most {@value #MAX_CHANGES}. */
    public synchronized java.util.List<HostSetChange> hostSetChanges() {
        java.util.List<HostSetChange> out = new java.util.ArrayList<>(changes);
        java.util.Collections.reverse(out);
        return out;
    }

    private HostSet build() {
        java.util.TreeMap<Integer, List<Host>> byLevel = new java.util.TreeMap<>();
        for (Host h : hosts) {
            byLevel.computeIfAbsent(h.priority(), k -> new ArrayList<>()).add(h);
        }
        if (byLevel.isEmpty()) {
            byLevel.put(0, List.of());
        }
        List<Integer> priorities = List.copyOf(byLevel.keySet());
        int n = priorities.size();
        int[] healthy = new int[n];
        int[] total = new int[n];
        List<List<Host>> healthyLevels = new ArrayList<>();
        int i = 0;
        for (List<Host> level : byLevel.values()) {
            List<Host> ok = new ArrayList<>();
            for (Host h : level) {
                if (h.health().healthy()) {
                    ok.add(h);
                }
            }
            healthy[i] = ok.size();
            total[i] = level.size();
            healthyLevels.add(ok);
            i++;
        }
        PriorityLoad load = PriorityLoad.compute(healthy, total, config.loadBalancing().overprovisioningFactor());
        List<List<Host>> used = new ArrayList<>();
        List<Host> eligible = new ArrayList<>();
        boolean panic = false;
        i = 0;
        for (List<Host> level : byLevel.values()) {
            List<Host> u = load.panic()[i] ? level : healthyLevels.get(i);
            used.add(u);
            if (load.loads()[i] > 0) {
                eligible.addAll(u);
                panic |= load.panic()[i];
            }
            i++;
        }
        return new HostSet(hosts, eligible, panic, LoadBalancerFactory.ofLevels(config.lbPolicy(), used, load.loads(),
                config.ringHash(), config.loadBalancing(), n == 1 ? null : levelPicks), priorities, load);
    }
}
