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

/** All clusters by name; immutable, built once per config off the event loops. */
public final class ClusterManager {
    private final Map<String, Cluster> clusters;

    private ClusterManager(Map<String, Cluster> clusters) {
        this.clusters = clusters;
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
            if (c.isAggregate()) {
                continue; // after the clusters they aggregate
            }
            List<Host> hosts = new ArrayList<>();
            java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
            for (EndpointConfig e : c.endpoints()) {
                InetAddress ip = InetAddress.getByName(e.address().host());
                hosts.add(new Host(c.name(), e.address().host(), new InetSocketAddress(ip, e.address().port()), e.weight(),
                        e.priority(), inFlight));
            }
            map.put(c.name(), new Cluster(c, hosts, ClusterResources.of(c),
                    ClientTlsContext.forCluster(c)));
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
                                 java.util.function.BiConsumer<Cluster, Host> onHostUnhealthy) {
        for (Cluster c : clusters.values()) {
            c.onHostUnhealthy(h -> onHostUnhealthy.accept(c, h));
            if (c.config().outlierDetection() != null) {
                OutlierDetector d = new OutlierDetector(c, c.config().outlierDetection(), maintenance, System::nanoTime);
                c.setOutlierDetector(d);
                d.start(maintenance);
            }
            if (c.config().healthCheck() != null) {
                new HealthChecker(c, c.config().healthCheck(), maintenance, channelFactory).start();
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
