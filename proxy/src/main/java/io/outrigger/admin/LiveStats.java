package io.outrigger.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.outrigger.json.Json;
import java.io.IOException;
import io.outrigger.Version;
import io.outrigger.server.OutriggerServer;
import io.outrigger.stats.Activity;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterManager;
import io.outrigger.upstream.Host;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /stats/live}: what the dashboard shows, as JSON — per listener and per cluster the request rate
 * and error rate (per second, over the last 10 s), latency percentiles in ms over the same window, totals since
 * start, and each host's health, weight, active and total requests and ejections; the response cache's hit ratio when a
 * {@code cache} filter runs.
 */
final class LiveStats {
    private LiveStats() {
    }

    static String json(OutriggerServer server, ClusterManager clusters) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("time_ms", System.currentTimeMillis());
            g.writeNumberField("uptime_ms", ManagementFactory.getRuntimeMXBean().getUptime());
            g.writeStringField("version", Version.get());
            g.writeNumberField("config_version", server.configVersion());
            g.writeBooleanField("ready", server.ready());
            g.writeNumberField("window_s", 10);
            g.writeArrayFieldStart("listeners");
            Map<String, InetSocketAddress> addresses = server.listenerAddresses();
            for (Map.Entry<String, Activity> e : server.metrics().listenerActivity().entrySet()) {
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                InetSocketAddress a = addresses.get(e.getKey());
                g.writeStringField("address", a == null ? "" : a.getHostString() + ":" + a.getPort());
                activity(g, e.getValue().snapshot());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("clusters");
            for (Cluster c : clusters.all()) {
                Activity act = server.metrics().clusterActivity().get(c.name());
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("lb_policy", c.config().lbPolicy().yamlName());
                activity(g, act == null ? Activity.Snapshot.EMPTY : act.snapshot());
                Map<String, Long> stats = c.stats().snapshot();
                g.writeNumberField("retries", stats.get("upstream_rq_retry"));
                g.writeNumberField("connect_failures", stats.get("upstream_cx_connect_fail"));
                g.writeNumberField("hedged", stats.get("upstream_rq_hedged"));
                g.writeNumberField("hedge_earlier_won", stats.get("upstream_rq_hedge_earlier_won"));
                g.writeNumberField("mirrored", stats.get("shadow_rq_total"));
                g.writeNumberField("mirror_dropped", stats.get("shadow_rq_dropped"));
                g.writeNumberField("failovers", stats.get("upstream_rq_failover"));
                io.outrigger.upstream.HostSet levels = c.hostSet();
                long[] picks = c.levelPicks();
                g.writeArrayFieldStart("priorities");
                for (int i = 0; i < levels.priorities().size() && levels.priorities().size() > 1; i++) {
                    g.writeStartObject();
                    g.writeNumberField("priority", levels.priorities().get(i));
                    g.writeNumberField("load_percent", levels.load().loads()[i]);
                    g.writeBooleanField("panic", levels.load().panic()[i]);
                    g.writeNumberField("rq_total", picks[i]);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNumberField("cx_active", c.resources().connections());
                g.writeNumberField("rq_pending", c.resources().pendingRequests());
                g.writeArrayFieldStart("hosts");
                for (Host h : c.hosts()) {
                    g.writeStartObject();
                    g.writeStringField("address", h.addressString());
                    g.writeBooleanField("healthy", h.health().healthy());
                    g.writeStringField("health_flags", h.health().envoyFlags());
                    g.writeNumberField("weight", h.weight());
                    g.writeNumberField("priority", h.priority());
                    g.writeNumberField("rq_active", h.activeRequests());
                    g.writeNumberField("rq_total", h.totalRequests());
                    g.writeNumberField("ejections", h.health().ejectionCount());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            cache(g);
            g.writeEndObject();
        }) + "\n";
    }

    /**
     * The response cache's totals since start, when a {@code cache} filter ever ran: hits (fresh and stale answers),
     * misses, the hit ratio, stored and evicted responses.
     */
    private static void cache(JsonGenerator g) throws IOException {
        Map<String, Long> f = io.outrigger.filter.FilterStats.snapshot();
        Long hit = f.get("cache.hit");
        if (hit == null) {
            return;
        }
        long hits = hit + f.getOrDefault("cache.stale", 0L);
        long misses = f.getOrDefault("cache.miss", 0L);
        g.writeObjectFieldStart("cache");
        g.writeNumberField("hits", hits);
        g.writeNumberField("misses", misses);
        g.writeNumberField("hit_ratio", round(hits + misses == 0 ? 0 : (double) hits / (hits + misses)));
        g.writeNumberField("stored", f.getOrDefault("cache.stored", 0L));
        g.writeNumberField("evicted", f.getOrDefault("cache.evicted", 0L));
        g.writeEndObject();
    }

    private static void activity(JsonGenerator g, Activity.Snapshot s) throws IOException {
        g.writeNumberField("requests", s.requests());
        g.writeNumberField("errors", s.errors());
        g.writeNumberField("rate", round(s.rate()));
        g.writeNumberField("error_rate", round(s.errorRate()));
        g.writeNumberField("p50_ms", round(s.p50Ms()));
        g.writeNumberField("p90_ms", round(s.p90Ms()));
        g.writeNumberField("p99_ms", round(s.p99Ms()));
        g.writeNumberField("max_ms", round(s.maxMs()));
    }

    /** Three decimals, as the dashboard shows them. */
    private static java.math.BigDecimal round(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP);
    }
}
