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

    private volatile ClusterConfig config; // replaced only by updateEndpoints (the same cluster with other hosts)
    private volatile List<Host> hosts; // replaced by DNS discovery (strict_dns, logical_dns)
    private final ClusterResources resources;
    private final ClusterStats stats = new ClusterStats();
    // per priority level (ascending), picks by the balancers of all workers; only with more than one level
    private final java.util.concurrent.atomic.LongAdder[] levelPicks;
    private final List<Cluster> children; // an aggregate's clusters; empty otherwise
    private final List<Cluster> parents = new java.util.concurrent.CopyOnWriteArrayList<>(); // aggregates using this
    private final ClientTlsContext tls;
    private volatile HostSet hostSet;
    private volatile Consumer<Host> onHostUnhealthy = h -> { };
    private volatile OutlierDetector outlierDetector;
    private volatile boolean initialHealthChecksDone;
    private volatile boolean discovered; // a DNS cluster's first resolution is done (always true for others)
    private volatile Consumer<Host> onHostAdded = h -> { };
    /** The last host-set changes of a hashing cluster, newest last; guarded by {@code this}. */
    private final java.util.ArrayDeque<HostSetChange> changes = new java.util.ArrayDeque<>();
    static final int MAX_CHANGES = 16;

    public Cluster(ClusterConfig config, List<Host> hosts, ClusterResources resources, ClientTlsContext tls) {
        this(config, hosts, resources, tls, List.of());
    }

    /**
     * An aggregate cluster (Envoy's): one balancer over its clusters' priority levels, in order — the first cluster's
     * levels, then the second's — with the priority load applied across them. Its hosts are theirs (connections,
     * health and outlier state stay with them); it follows their health changes.
     *
     * @param children the clusters named by {@code clusters}, in order
     */
    public static Cluster aggregate(ClusterConfig config, List<Cluster> children, ClusterResources resources) {
        List<Host> hosts = new ArrayList<>();
        for (Cluster c : children) {
            hosts.addAll(c.hosts());
        }
        Cluster a = new Cluster(config, hosts, resources, null, children);
        for (Cluster c : children) {
            c.parents.add(a);
        }
        return a;
    }

    private Cluster(ClusterConfig config, List<Host> hosts, ClusterResources resources, ClientTlsContext tls,
                    List<Cluster> children) {
        this.config = config;
        this.hosts = List.copyOf(hosts);
        this.discovered = !config.usesDns();
        this.resources = resources;
        this.tls = tls;
        this.children = List.copyOf(children);
        this.levelPicks = new java.util.concurrent.atomic.LongAdder[levels().size()];
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

    /** A DNS cluster's first resolution is done (readiness waits for it, as Envoy's initialization does). */
    public void markDiscovered() {
        discovered = true;
    }

    /** Who to tell when discovery adds a host (the health checker, to start checking it). */
    public void onHostAdded(Consumer<Host> listener) {
        this.onHostAdded = listener;
    }

    /**
     * Replaces the hosts (DNS discovery) and publishes a new snapshot; hosts kept from before must be the same objects,
     * so their health, pools and connections stay. Removed hosts' idle connections close. Call off the event loops.
     *
     * @param next the new hosts
     * @param why  for the log and {@code /debug/hash}, e.g. {@code dns: +10.0.0.9:80 -10.0.0.7:80}
     */
    public synchronized void updateHosts(List<Host> next, String why) {
        List<Host> before = hosts;
        hosts = List.copyOf(next);
        HostSet previous = hostSet;
        HostSet now = build();
        hostSet = now;
        if (previous.lbFactory().hashStructure() != null && now.lbFactory().hashStructure() != null) {
            changes.addLast(HostSetChange.measure(previous.lbFactory().hashStructure(), now.lbFactory().hashStructure(),
                    why, System.nanoTime()));
            if (changes.size() > MAX_CHANGES) {
                changes.removeFirst();
            }
        }
        log.info("cluster '{}': {}; {} hosts", name(), why, hosts.size());
        for (Host h : hosts) {
            if (!before.contains(h)) {
                onHostAdded.accept(h);
            }
        }
        for (Host h : before) {
            if (!hosts.contains(h)) {
                onHostUnhealthy.accept(h); // its pooled idle connections close
            }
        }
        for (Cluster parent : parents) {
            parent.rebuildHosts(why);
        }
    }

    /**
     * The same cluster with other endpoints (EDS, or a reload that only moves hosts): the config's endpoint list and the
     * hosts change in place through {@link #updateHosts}, so kept hosts keep their health, pools and connections and the
     * hash ring or table is rebuilt off the event loops with minimal key movement. Call off the event loops.
     *
     * @param next  this cluster's config with the new endpoints (equal otherwise)
     * @param hosts the new hosts; kept ones must be the same objects
     */
    public synchronized void updateEndpoints(ClusterConfig next, List<Host> hosts, String why) {
        this.config = next;
        updateHosts(hosts, why);
    }

    /** An aggregate's cluster changed its hosts: the aggregate's hosts are theirs again. */
    private synchronized void rebuildHosts(String why) {
        List<Host> all = new ArrayList<>();
        for (Cluster c : children) {
            all.addAll(c.hosts());
        }
        hosts = List.copyOf(all);
        hostSet = build();
        log.info("aggregate cluster '{}': {}", name(), why);
    }

    /** Whether every host has a first active health-check result (always true without health_check). */
    public boolean initialHealthChecksDone() {
        return discovered && (initialHealthChecksDone || config.healthCheck() == null || hosts.isEmpty());
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

    private volatile boolean retired;

    /** A reload removed or replaced this cluster: its health checks and outlier reviews stop. */
    public void retire() {
        retired = true;
    }

    /** Whether a reload removed or replaced this cluster. */
    public boolean retired() {
        return retired;
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
        recordChange(previous, next, changed);
        log.info("cluster '{}': host {} is now {}; {} of {} hosts in use{}{}", name(), changed,
                changed.health().healthy() ? "healthy" : changed.health().ejected() ? "ejected" : "unhealthy",
                next.eligible().size(), hosts.size(), next.panic() ? " (panic mode: all hosts)" : "",
                next.priorities().size() > 1 ? "; priority load " + java.util.Arrays.toString(next.load().loads()) : "");
        if (!changed.health().healthy()) {
            onHostUnhealthy.accept(changed);
        }
        for (Cluster parent : parents) {
            parent.rebuild(changed);
        }
    }

    /** An aggregate's cluster changed: rebuild over the new health (same snapshot path as a health change). */
    private synchronized void rebuild(Host changed) {
        HostSet previous = hostSet;
        HostSet next = build();
        hostSet = next;
        recordChange(previous, next, changed);
        log.info("aggregate cluster '{}': host {} of '{}' changed; {} hosts in use; priority load {}", name(), changed,
                changed.cluster(), next.eligible().size(), java.util.Arrays.toString(next.load().loads()));
    }

    /** An aggregate's clusters, in order; empty for a cluster of its own endpoints. */
    public List<Cluster> children() {
        return children;
    }

    private void recordChange(HostSet previous, HostSet next, Host changed) {
        if (previous.lbFactory().hashStructure() != null && next.lbFactory().hashStructure() != null) {
            String state = changed.health().healthy() ? "healthy" : changed.health().ejected() ? "ejected" : "unhealthy";
            changes.addLast(HostSetChange.measure(previous.lbFactory().hashStructure(), next.lbFactory().hashStructure(),
                    changed.addressString() + " now " + state, System.nanoTime()));
            if (changes.size() > MAX_CHANGES) {
                changes.removeFirst();
            }
        }
    }

    /**
     * Records, as this cluster's first host-set change, how many keys moved from the cluster it replaces (a reload):
     * {@code /debug/hash} shows it like any other change. Hashing policies on both sides only.
     */
    public synchronized void recordReplacing(Cluster old, String why) {
        var before = old.hostSet().lbFactory().hashStructure();
        var after = hostSet.lbFactory().hashStructure();
        if (before != null && after != null) {
            java.util.List<HostSetChange> history = old.hostSetChanges(); // newest first
            java.util.Collections.reverse(history);
            changes.addAll(history);
            changes.addLast(HostSetChange.measure(before, after, why, System.nanoTime()));
            while (changes.size() > MAX_CHANGES) {
                changes.removeFirst();
            }
        }
    }

    /** The last host-set changes' disruption (hashing policies only), newest first; at most {@value #MAX_CHANGES}. */
    public synchronized java.util.List<HostSetChange> hostSetChanges() {
        java.util.List<HostSetChange> out = new java.util.ArrayList<>(changes);
        java.util.Collections.reverse(out);
        return out;
    }

    /** One priority level: its hosts and the cluster whose balancing settings apply to them. */
    private record Level(List<Host> hosts, ClusterConfig owner) {
    }

    /** This cluster's levels (ascending priority), or, for an aggregate, its clusters' levels in order. */
    private List<Level> levels() {
        List<Level> out = new ArrayList<>();
        if (!children.isEmpty()) {
            for (Cluster c : children) {
                out.addAll(c.levels());
            }
            return out;
        }
        java.util.TreeMap<Integer, List<Host>> byLevel = new java.util.TreeMap<>();
        for (io.outrigger.config.EndpointConfig e : config.endpoints()) {
            byLevel.computeIfAbsent(e.priority(), k -> new ArrayList<>()); // a level without hosts (yet) still counts
        }
        for (Host h : hosts) {
            byLevel.computeIfAbsent(h.priority(), k -> new ArrayList<>()).add(h);
        }
        if (byLevel.isEmpty()) {
            byLevel.put(0, List.of());
        }
        for (List<Host> level : byLevel.values()) {
            out.add(new Level(level, config));
        }
        return out;
    }

    private HostSet build() {
        List<Level> levels = levels();
        int n = levels.size();
        int[] healthy = new int[n];
        int[] total = new int[n];
        List<List<Host>> healthyLevels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Host> ok = new ArrayList<>();
            for (Host h : levels.get(i).hosts()) {
                if (h.health().healthy()) {
                    ok.add(h);
                }
            }
            healthy[i] = ok.size();
            total[i] = levels.get(i).hosts().size();
            healthyLevels.add(ok);
        }
        PriorityLoad load = PriorityLoad.compute(healthy, total, config.loadBalancing().overprovisioningFactor());
        List<List<Host>> used = new ArrayList<>();
        List<ClusterConfig> owners = new ArrayList<>();
        List<Host> eligible = new ArrayList<>();
        List<Integer> priorities = new ArrayList<>();
        boolean panic = false;
        for (int i = 0; i < n; i++) {
            List<Host> u = load.panic()[i] ? levels.get(i).hosts() : healthyLevels.get(i);
            used.add(u);
            owners.add(levels.get(i).owner());
            List<Host> levelHosts = levels.get(i).hosts();
            priorities.add(children.isEmpty() && !levelHosts.isEmpty() ? levelHosts.get(0).priority() : i);
            if (load.loads()[i] > 0) {
                eligible.addAll(u);
                panic |= load.panic()[i];
            }
        }
        return new HostSet(hosts, eligible, panic, LoadBalancerFactory.ofLevels(owners, used, load.loads(),
                n == 1 ? null : levelPicks, stats.upstreamRqFailover), priorities, load);
    }
}
