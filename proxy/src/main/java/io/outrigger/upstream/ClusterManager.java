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
            List<Host> hosts = new ArrayList<>();
            for (EndpointConfig e : c.endpoints()) {
                InetAddress ip = InetAddress.getByName(e.address().host());
                hosts.add(new Host(c.name(), e.address().host(), new InetSocketAddress(ip, e.address().port()), e.weight()));
            }
            map.put(c.name(), new Cluster(c, hosts, ClusterResources.of(c),
                    c.tls() == null ? null : ClientTlsContext.build(c.tls())));
        }
        return new ClusterManager(Map.copyOf(map));
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
