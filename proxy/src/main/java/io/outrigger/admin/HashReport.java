package io.outrigger.admin;

import io.outrigger.json.Json;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.HostSetChange;
import io.outrigger.upstream.lb.LoadBalancerFactory.HashStructure;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /debug/hash?cluster=NAME}: a hashing cluster's balance and disruption — each host's share of the ring or
 * Maglev table against its weight share and its observed share of requests, and for the last host-set changes the
 * fraction of a fixed key sample that moved, and between which hosts ({@link HostSetChange}).
 */
final class HashReport {
    private HashReport() {
    }

    /** The report as text; the cluster must hash ({@code hashStructure() != null}). */
    static String text(Cluster c, long nowNanos) {
        HashStructure s = c.hostSet().lbFactory().hashStructure();
        List<Host> hosts = s.hosts();
        double[] shares = s.shares();
        long totalWeight = hosts.stream().mapToLong(Host::weight).sum();
        long[] requests = hosts.stream().mapToLong(Host::totalRequests).toArray(); // one read each: shares add up
        long totalRequests = java.util.Arrays.stream(requests).sum();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cluster %s: %s over %d of %d hosts, %d %s%n", c.name(),
                c.config().lbPolicy().yamlName(), hosts.size(), c.hosts().size(), s.size(),
                c.config().lbPolicy().yamlName().equals("maglev") ? "table slots" : "ring entries"));
        b.append(String.format(Locale.ROOT, "%-22s %6s %12s %12s %10s %14s%n", "host", "weight", "hash share",
                "weight share", "requests", "request share"));
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            b.append(String.format(Locale.ROOT, "%-22s %6d %11.1f%% %11.1f%% %10d %13.1f%%%n", h.addressString(), h.weight(),
                    100 * shares[i], 100.0 * h.weight() / totalWeight, requests[i],
                    totalRequests == 0 ? 0.0 : 100.0 * requests[i] / totalRequests));
        }
        b.append("(requests: attempts since start, all workers)\n");
        List<HostSetChange> changes = c.hostSetChanges();
        if (changes.isEmpty()) {
            b.append("host-set changes: none since start\n");
            return b.toString();
        }
        b.append("host-set changes, newest first (moved: of ").append(HostSetChange.SAMPLE_KEYS)
                .append(" sampled keys, those now on another host):\n");
        for (HostSetChange ch : changes) {
            b.append(String.format(Locale.ROOT, "  %.1f s ago: %s; %d -> %d hosts; moved %.1f%% (%d)", (nowNanos - ch.atNanos()) / 1e9,
                    ch.reason(), ch.before(), ch.after(), 100 * ch.movedFraction(), ch.moved()));
            List<HostSetChange.Flow> flows = ch.flows();
            for (int i = 0; i < Math.min(6, flows.size()); i++) {
                HostSetChange.Flow f = flows.get(i);
                b.append(i == 0 ? ": " : ", ").append(f.from()).append(" -> ").append(f.to()).append(' ').append(f.keys());
            }
            b.append(flows.size() > 6 ? ", ...\n" : "\n");
        }
        return b.toString();
    }

    /** The report as one JSON document. */
    static String json(Cluster c, long nowNanos) {
        HashStructure s = c.hostSet().lbFactory().hashStructure();
        List<Host> hosts = s.hosts();
        double[] shares = s.shares();
        long totalWeight = hosts.stream().mapToLong(Host::weight).sum();
        long[] requests = hosts.stream().mapToLong(Host::totalRequests).toArray();
        long totalRequests = java.util.Arrays.stream(requests).sum();
        return Json.write(g -> {
            g.writeStartObject();
            Json.field(g, "cluster", c.name());
            Json.field(g, "lb_policy", c.config().lbPolicy().yamlName());
            g.writeNumberField("size", s.size());
            g.writeArrayFieldStart("hosts");
            for (int i = 0; i < hosts.size(); i++) {
                Host h = hosts.get(i);
                g.writeStartObject();
                Json.field(g, "address", h.addressString());
                g.writeNumberField("weight", h.weight());
                g.writeNumberField("hash_share", shares[i]);
                g.writeNumberField("weight_share", h.weight() / (double) totalWeight);
                g.writeNumberField("requests", requests[i]);
                g.writeNumberField("request_share", totalRequests == 0 ? 0.0 : requests[i] / (double) totalRequests);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("host_set_changes");
            for (HostSetChange ch : c.hostSetChanges()) {
                g.writeStartObject();
                g.writeNumberField("seconds_ago", (nowNanos - ch.atNanos()) / 1e9);
                Json.field(g, "reason", ch.reason());
                g.writeNumberField("hosts_before", ch.before());
                g.writeNumberField("hosts_after", ch.after());
                g.writeNumberField("sample", ch.sample());
                g.writeNumberField("moved", ch.moved());
                g.writeNumberField("moved_fraction", ch.movedFraction());
                g.writeArrayFieldStart("flows");
                for (HostSetChange.Flow f : ch.flows()) {
                    g.writeStartObject();
                    Json.field(g, "from", f.from());
                    Json.field(g, "to", f.to());
                    g.writeNumberField("keys", f.keys());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
