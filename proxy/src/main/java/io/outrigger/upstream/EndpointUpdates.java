package io.outrigger.upstream;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.EndpointConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A running cluster updated in place when only its endpoints change (EDS, or a reload that moves hosts): whether that
 * is the case, and its new hosts — the running host objects where nothing about them changed.
 */
final class EndpointUpdates {
    private EndpointUpdates() {
    }

    /**
     * Whether a static cluster's new config differs from the running one's only in its endpoints, with the same
     * priority levels (the per-level counters stay valid): then it changes in place.
     */
    static boolean onlyEndpointsDiffer(Cluster old, ClusterConfig c) {
        ClusterConfig o = old.config();
        if (o.isAggregate() || c.isAggregate() || o.usesDns() || c.usesDns() || c.endpoints().isEmpty()
                || !c.withEndpoints(o.endpoints()).equals(o)) {
            return false;
        }
        java.util.Set<Integer> before = new java.util.TreeSet<>();
        o.endpoints().forEach(e -> before.add(e.priority()));
        java.util.Set<Integer> after = new java.util.TreeSet<>();
        c.endpoints().forEach(e -> after.add(e.priority()));
        return before.equals(after);
    }

    /**
     * The hosts of {@code c}'s endpoints: the running host object where address, weight and priority are the same
     * (its health, pools and connections stay), a new one otherwise (inheriting the health of a host at that address).
     * Blocking (names are resolved).
     */
    static List<Host> keptHosts(Cluster old, ClusterConfig c) throws UnknownHostException {
        Map<InetSocketAddress, Host> before = new java.util.HashMap<>();
        for (Host h : old.hosts()) {
            before.put(h.address(), h);
        }
        java.util.concurrent.atomic.LongAdder inFlight = old.hosts().isEmpty()
                ? new java.util.concurrent.atomic.LongAdder() : old.hosts().get(0).clusterInFlight();
        List<Host> hosts = new ArrayList<>();
        for (EndpointConfig e : c.endpoints()) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(e.address().host()), e.address().port());
            Host prior = before.get(address);
            if (prior != null && prior.weight() == e.weight() && prior.priority() == e.priority()) {
                hosts.add(prior);
            } else {
                Host h = new Host(c.name(), e.address().host(), address, e.weight(), e.priority(), inFlight);
                if (prior != null) {
                    h.health().inherit(prior.health());
                }
                hosts.add(h);
            }
        }
        return hosts;
    }

    static String hostChange(List<Host> before, List<Host> after) {
        StringBuilder sb = new StringBuilder();
        for (Host h : after) {
            if (!before.contains(h)) {
                sb.append(sb.length() == 0 ? "" : " ").append('+').append(h.addressString());
            }
        }
        for (Host h : before) {
            if (!after.contains(h)) {
                sb.append(sb.length() == 0 ? "" : " ").append('-').append(h.addressString());
            }
        }
        return sb.length() == 0 ? "weights" : sb.toString();
    }
}
