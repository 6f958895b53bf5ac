package io.outrigger.router;

import io.outrigger.json.Json;
import java.util.List;
import java.util.Map;

/**
 * Why a request goes where it goes: the virtual host and the domain pattern that won, every route considered with
 * the first condition that failed, the route taken and its action, the hash key and the hosts the load balancer
 * would pick now. Built by {@link RouteExplainer}; printed by {@code outrigger route} and {@code GET /debug/route}.
 *
 * @param request      the request as explained, e.g. {@code GET http://shop.local/api/x}
 * @param headers      the request headers given, {@code name: value}
 * @param listener     the listener whose routes were used
 * @param virtualHost  the virtual host chosen, or {@code null} (404)
 * @param domains      the matching domain patterns, the winner first, each with its kind
 * @param routes       every route of the virtual host considered, in order, up to the one taken
 * @param taken        the index in {@code routes} of the route taken, or -1 (404)
 * @param action       what the route does, one line
 * @param details      further lines about the action: rewrites, hash key, host picks, timeouts, retries
 * @param hash         each hash policy's contribution
 * @param picks        per target cluster, the hosts in the order the load balancer would try them now
 */
public record RouteExplanation(String request, List<String> headers, String listener, String virtualHost,
                               List<String> domains, List<RouteCheck> routes, int taken, String action,
                               List<String> details, List<HashKey.Contribution> hash, List<HostPick> picks) {
    /**
     * One route considered.
     *
     * @param label   its name, or its path condition
     * @param match   its path condition, e.g. {@code prefix /api/}
     * @param failure the first condition that failed, or {@code null} when it matched
     */
    public record RouteCheck(String label, String match, String failure) {
    }

    /**
     * The load balancer's choice for one cluster.
     *
     * @param cluster the cluster
     * @param policy  its {@code lb_policy}
     * @param hosts   {@code ip:port} of the host picked now, then the next ones a retry would try (hash policies);
     *                empty when the choice is not fixed
     * @param note    why {@code hosts} is empty or what it means
     */
    public record HostPick(String cluster, String policy, List<String> hosts, String note) {
    }

    /** Whether a route was found. */
    public boolean routed() {
        return taken >= 0;
    }

    /** The explanation as text for a terminal, one fact per line. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("request: ").append(request).append('\n');
        for (String h : headers) {
            b.append("  ").append(h).append('\n');
        }
        b.append("listener: ").append(listener).append('\n');
        if (virtualHost == null) {
            b.append("virtual host: none matches (no domain pattern and no \"*\") -> 404\n");
            return b.toString();
        }
        b.append("virtual host: ").append(virtualHost).append(" (").append(domains.get(0)).append(')');
        if (domains.size() > 1) {
            b.append(", winning over ").append(String.join(", ", domains.subList(1, domains.size())));
        }
        b.append('\n');
        b.append("routes (first match wins):\n");
        int width = 0;
        for (RouteCheck r : routes) {
            width = Math.max(width, r.label().length());
        }
        for (int i = 0; i < routes.size(); i++) {
            RouteCheck r = routes.get(i);
            b.append(String.format("  %2d. %-" + width + "s  %s%n", i + 1, r.label(),
                    r.failure() == null ? "MATCH" : "no: " + r.failure()));
        }
        if (!routed()) {
            b.append("route: none matched -> 404 (NR)\n");
            return b.toString();
        }
        b.append("route: #").append(taken + 1).append(' ').append(routes.get(taken).label()).append('\n');
        b.append("action: ").append(action).append('\n');
        for (String d : details) {
            b.append(d).append('\n');
        }
        return b.toString();
    }

    /** The explanation as one JSON document. */
    public String json() {
        return Json.write(g -> {
            g.writeStartObject();
            Json.field(g, "request", request);
            g.writeArrayFieldStart("headers");
            for (String h : headers) {
                g.writeString(h);
            }
            g.writeEndArray();
            Json.field(g, "listener", listener);
            Json.field(g, "virtual_host", virtualHost);
            g.writeArrayFieldStart("domains");
            for (String d : domains) {
                g.writeString(d);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("routes");
            for (RouteCheck r : routes) {
                g.writeStartObject();
                Json.field(g, "route", r.label());
                Json.field(g, "match", r.match());
                g.writeBooleanField("matched", r.failure() == null);
                Json.field(g, "failure", r.failure());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (routed()) {
                g.writeNumberField("route_taken", taken + 1);
            }
            Json.field(g, "action", action);
            g.writeArrayFieldStart("hash_policy");
            for (HashKey.Contribution c : hash) {
                g.writeStartObject();
                Json.field(g, "source", c.source());
                Json.field(g, "value", c.value());
                g.writeBooleanField("evaluated", c.used());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("hosts");
            for (HostPick p : picks) {
                g.writeStartObject();
                Json.field(g, "cluster", p.cluster());
                Json.field(g, "lb_policy", p.policy());
                g.writeArrayFieldStart("order");
                for (String h : p.hosts()) {
                    g.writeString(h);
                }
                g.writeEndArray();
                Json.field(g, "note", p.note());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("details");
            for (String d : details) {
                g.writeString(d.strip());
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    static List<String> headerLines(List<Map.Entry<String, String>> headers) {
        return headers.stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }
}
