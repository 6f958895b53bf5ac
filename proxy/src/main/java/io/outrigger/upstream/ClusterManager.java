package io.outrigger.upstream;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.EndpointConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.tls.CertificateMaterial.InvalidMaterialException;
import io.outrigger.tls.ClientTlsContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All clusters by name: an immutable map, built off the event loops and replaced whole by a reload
 * ({@link #prepare}, {@link #apply}) with one volatile write. Workers notice a new map by its {@link #generation()}.
 */
public final class ClusterManager {
    private volatile Map<String, Cluster> clusters;
    private volatile int generation;
    private io.netty.channel.EventLoop maintenance;
    private java.util.function.Supplier<? extends io.netty.channel.Channel> channelFactory;
    private java.util.function.BiConsumer<Cluster, Host> onHostUnhealthy;
    private Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel;

    private ClusterManager(Map<String, Cluster> clusters) {
        this.clusters = clusters;
    }

    /**
     * What a new config changes: the next map (unchanged clusters are the running objects, with their pools, health
     * and outlier state), and the clusters it adds and retires.
     */
    public record Update(Map<String, Cluster> next, List<Cluster> added, List<Cluster> retired, int unchanged,
                         List<EndpointUpdate> endpointUpdates) {
    }

    /**
     * A running cluster whose config changed only in its endpoints: applied in place.
     *
     * @param cluster the running cluster (kept)
     * @param next    its config with the new endpoints
     * @param hosts   the new hosts (kept ones are the same objects)
     * @param change  e.g. {@code +10.0.0.9:80 -10.0.0.7:80}
     */
    public record EndpointUpdate(Cluster cluster, ClusterConfig next, List<Host> hosts, String change) {
    }

    /**
     * Builds the clusters a new config needs, reusing every running cluster whose config is equal; nothing is applied.
     * Blocking (endpoint names are resolved): call off the event loops.
     *
     * @throws UnknownHostException when a new or changed cluster's endpoint name does not resolve
     * @throws InvalidMaterialException when a new or changed cluster's TLS files cannot be used
     */
    public Update prepare(OutriggerConfig config) throws UnknownHostException, InvalidMaterialException {
        Map<String, Cluster> current = clusters;
        Map<String, Cluster> built = new LinkedHashMap<>();
        List<Cluster> added = new ArrayList<>();
        List<EndpointUpdate> endpointUpdates = new ArrayList<>();
        int unchanged = 0;
        for (ClusterConfig c : config.clusters()) {
            if (c.isAggregate()) {
                continue;
            }
            Cluster old = current.get(c.name());
            if (old != null && old.config().equals(c)) {
                built.put(c.name(), old);
                unchanged++;
            } else if (old != null && EndpointUpdates.onlyEndpointsDiffer(old, c)) {
                List<Host> hosts = EndpointUpdates.keptHosts(old, c);
                built.put(c.name(), old);
                endpointUpdates.add(new EndpointUpdate(old, c, hosts, EndpointUpdates.hostChange(old.hosts(), hosts)));
            } else {
                Cluster fresh = build(c, old);
                if (old != null && !old.config().isAggregate()) {
                    fresh.recordReplacing(old, "reload: " + endpointChange(old, fresh));
                }
                built.put(c.name(), fresh);
                added.add(fresh);
            }
        }
        Map<String, Cluster> next = new LinkedHashMap<>();
        for (ClusterConfig c : config.clusters()) {
            if (!c.isAggregate()) {
                next.put(c.name(), built.get(c.name()));
                continue;
            }
            List<Cluster> children = new ArrayList<>();
            for (String name : c.aggregateClusters()) {
                children.add(built.get(name));
            }
            Cluster old = current.get(c.name());
            if (old != null && old.config().equals(c) && old.children().equals(children)) {
                next.put(c.name(), old);
                unchanged++;
            } else {
                Cluster fresh = Cluster.aggregate(c, children, ClusterResources.of(c));
                next.put(c.name(), fresh);
                added.add(fresh);
            }
        }
        List<Cluster> retired = new ArrayList<>();
        for (Cluster c : current.values()) {
            if (next.get(c.name()) != c) {
                retired.add(c);
            }
        }
        return new Update(java.util.Collections.unmodifiableMap(next), List.copyOf(added), List.copyOf(retired), unchanged,
                List.copyOf(endpointUpdates));
    }

    /**
     * Publishes a prepared update: one volatile write; the added clusters' health checks and outlier reviews start, the
     * retired ones' stop. Workers retire their views of the old clusters on their next look-up.
     */
    public void apply(Update update) {
        for (Cluster c : update.retired()) {
            c.retire();
        }
        for (EndpointUpdate u : update.endpointUpdates()) {
            u.cluster().updateEndpoints(u.next(), u.hosts(), "reload: " + u.change());
        }
        clusters = update.next();
        generation++;
        if (maintenance != null) {
            startMaintenance(update.added());
        }
    }

    // "+10.0.0.9:80 -10.0.0.7:80", or "settings" when the addresses are the same
    private static String endpointChange(Cluster old, Cluster fresh) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<InetSocketAddress> before = new java.util.HashSet<>();
        old.hosts().forEach(h -> before.add(h.address()));
        java.util.Set<InetSocketAddress> after = new java.util.HashSet<>();
        fresh.hosts().forEach(h -> after.add(h.address()));
        for (Host h : fresh.hosts()) {
            if (!before.contains(h.address())) {
                sb.append(sb.length() == 0 ? "" : " ").append('+').append(h.addressString());
            }
        }
        for (Host h : old.hosts()) {
            if (!after.contains(h.address())) {
                sb.append(sb.length() == 0 ? "" : " ").append('-').append(h.addressString());
            }
        }
        return sb.length() == 0 ? "settings" : sb.toString();
    }

    /** Increases with every applied update (read by workers, one volatile read per look-up). */
    public int generation() {
        return generation;
    }

    /**
     * @param old the cluster of that name this one replaces, or {@code null}: hosts at the same address take over its
     *            hosts' health (when both health-check, or both detect outliers)
     */
    private static Cluster build(ClusterConfig c, Cluster old) throws UnknownHostException, InvalidMaterialException {
        List<Host> hosts = new ArrayList<>();
        java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
        Map<InetSocketAddress, Host> before = new java.util.HashMap<>();
        if (old != null && !old.config().isAggregate() && (old.config().healthCheck() != null) == (c.healthCheck() != null)
                && (old.config().outlierDetection() != null) == (c.outlierDetection() != null)) {
            for (Host h : old.hosts()) {
                before.put(h.address(), h);
            }
        }
        if (c.usesDns()) {
            // hosts come from DnsDiscovery once maintenance starts (an unresolvable name does not stop the start). A
            // reload that replaces the cluster starts from the old one's addresses for endpoints it keeps, so traffic
            // never meets an empty cluster; the first resolution reconciles them.
            List<Host> seeded = new ArrayList<>();
            if (old != null && old.config().usesDns()) {
                java.util.concurrent.atomic.LongAdder seededInFlight = new java.util.concurrent.atomic.LongAdder();
                for (EndpointConfig e : c.endpoints()) {
                    for (Host h : old.hosts()) {
                        if (h.hostname().equals(e.address().host()) && h.address().getPort() == e.address().port()) {
                            Host copy = new Host(c.name(), h.hostname(), h.address(), e.weight(), e.priority(), seededInFlight);
                            if (before.containsKey(h.address())) {
                                copy.health().inherit(h.health());
                            }
                            seeded.add(copy);
                        }
                    }
                }
            }
            Cluster cluster = new Cluster(c, seeded, ClusterResources.of(c), ClientTlsContext.forCluster(c));
            if (!seeded.isEmpty()) {
                cluster.markDiscovered();
                cluster.markInitialHealthChecksDone();
            }
            return cluster;
        }
        boolean allChecked = c.healthCheck() != null;
        for (EndpointConfig e : c.endpoints()) {
            InetAddress ip = InetAddress.getByName(e.address().host());
            Host h = new Host(c.name(), e.address().host(), new InetSocketAddress(ip, e.address().port()), e.weight(),
                    e.priority(), inFlight);
            Host prior = before.get(h.address());
            if (prior != null) {
                h.health().inherit(prior.health());
            }
            allChecked &= prior != null && prior.health().checkedOnce;
            hosts.add(h);
        }
        Cluster cluster = new Cluster(c, hosts, ClusterResources.of(c), ClientTlsContext.forCluster(c));
        if (allChecked) {
            cluster.markInitialHealthChecksDone();
        }
        return cluster;
    }

    /**
     * Builds the clusters, resolving endpoint host names once (blocking; call off the event loops) and
     * loading their TLS material.
     *
     * @throws UnknownHostException when an endpoint name does not resolve
     * @throws InvalidMaterialException when a cluster's TLS files cannot be used
     */
    public static ClusterManager build(OutriggerConfig config) throws UnknownHostException, InvalidMaterialException {
        Map<String, Cluster> map = new LinkedHashMap<>();
        for (ClusterConfig c : config.clusters()) {
            if (!c.isAggregate()) { // aggregates after the clusters they aggregate
                map.put(c.name(), build(c, null));
            }
        }
        return new ClusterManager(withAggregates(config, map));
    }

    /**
     * Builds the clusters for explaining routes offline ({@code outrigger route}, {@code test-routes}): no TLS material
     * is loaded, and a cluster whose endpoint names do not resolve here is left out (its host picks are not shown).
     * Nothing is started.
     */
    public static ClusterManager buildForExplaining(OutriggerConfig config) {
        Map<String, Cluster> map = new LinkedHashMap<>();
        for (ClusterConfig c : config.clusters()) {
            if (c.isAggregate()) {
                continue;
            }
            List<Host> hosts = new ArrayList<>();
            java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
            try {
                for (EndpointConfig e : c.endpoints()) {
                    InetAddress ip = InetAddress.getByName(e.address().host());
                    hosts.add(new Host(c.name(), e.address().host(), new InetSocketAddress(ip, e.address().port()),
                            e.weight(), e.priority(), inFlight));
                }
            } catch (UnknownHostException e) {
                continue;
            }
            map.put(c.name(), new Cluster(c, hosts, ClusterResources.of(c), null));
        }
        return new ClusterManager(withAggregates(config, map));
    }

    /** Adds the aggregate clusters over the others (left out if one of theirs is missing), in the config's order. */
    private static Map<String, Cluster> withAggregates(OutriggerConfig config, Map<String, Cluster> built) {
        Map<String, Cluster> out = new LinkedHashMap<>();
        for (ClusterConfig c : config.clusters()) {
            if (!c.isAggregate()) {
                if (built.containsKey(c.name())) {
                    out.put(c.name(), built.get(c.name()));
                }
                continue;
            }
            List<Cluster> children = new ArrayList<>();
            for (String name : c.aggregateClusters()) {
                if (built.get(name) != null) {
                    children.add(built.get(name));
                }
            }
            if (children.size() == c.aggregateClusters().size()) {
                out.put(c.name(), Cluster.aggregate(c, children, ClusterResources.of(c)));
            }
        }
        return java.util.Collections.unmodifiableMap(out); // config order (admin, dashboard)
    }

    /**
     * Starts health checking and outlier detection on the maintenance event loop (one thread, never a worker).
     *
     * @param onHostUnhealthy told (on the maintenance thread) when a host leaves load balancing
     */
    public void startMaintenance(io.netty.channel.EventLoop maintenance, java.util.function.Supplier<? extends io.netty.channel.Channel> channelFactory,
                                 Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel,
                                 java.util.function.BiConsumer<Cluster, Host> onHostUnhealthy) {
        this.maintenance = maintenance;
        this.datagramChannel = datagramChannel;
        this.channelFactory = channelFactory;
        this.onHostUnhealthy = onHostUnhealthy;
        startMaintenance(clusters.values());
    }

    private void startMaintenance(java.util.Collection<Cluster> started) {
        for (Cluster c : started) {
            c.onHostUnhealthy(h -> onHostUnhealthy.accept(c, h));
            if (c.config().outlierDetection() != null) {
                OutlierDetector d = new OutlierDetector(c, c.config().outlierDetection(), maintenance, System::nanoTime);
                c.setOutlierDetector(d);
                d.start(maintenance);
            }
            if (c.config().healthCheck() != null) {
                new HealthChecker(c, c.config().healthCheck(), maintenance, channelFactory).start();
            }
            if (c.config().usesDns()) {
                new DnsDiscovery(c, maintenance, datagramChannel).start();
            }
        }
    }

    /** Returns the cluster named {@code name}, or {@code null}. */
    public Cluster get(String name) {
        return clusters.get(name);
    }

    /** All clusters. */
    public Iterable<Cluster> all() {
        return clusters.values();
    }
}
