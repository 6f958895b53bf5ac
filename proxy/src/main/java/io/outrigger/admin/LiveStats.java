package io.outrigger.admin;

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
 * start, and each host's health, weight, active and total requests and ejections.
 */
final class LiveStats {
    private LiveStats() {
    }

    static String json(OutriggerServer server, ClusterManager clusters) {
        StringBuilder sb = new StringBuilder(2048);
        sb.append("{\"time_ms\":").append(System.currentTimeMillis())
                .append(",\"uptime_ms\":").append(ManagementFactory.getRuntimeMXBean().getUptime())
                .append(",\"version\":\"").append(Version.get()).append('"')
                .append(",\"ready\":").append(server.ready())
                .append(",\"window_s\":10,\"listeners\":[");
        Map<String, InetSocketAddress> addresses = server.listenerAddresses();
        boolean first = true;
        for (Map.Entry<String, Activity> e : server.metrics().listenerActivity().entrySet()) {
            sb.append(first ? "" : ",").append("{\"name\":");
            ConfigDump.string(sb, e.getKey());
            InetSocketAddress a = addresses.get(e.getKey());
            sb.append(",\"address\":");
            ConfigDump.string(sb, a == null ? "" : a.getHostString() + ":" + a.getPort());
            activity(sb, e.getValue().snapshot());
            sb.append('}');
            first = false;
        }
        sb.append("],\"clusters\":[");
        first = true;
        for (Cluster c : clusters.all()) {
            Activity act = server.metrics().clusterActivity().get(c.name());
            sb.append(first ? "" : ",").append("{\"name\":");
            ConfigDump.string(sb, c.name());
            sb.append(",\"lb_policy\":\"").append(c.config().lbPolicy().yamlName()).append('"');
            activity(sb, act == null ? Activity.Snapshot.EMPTY : act.snapshot());
            Map<String, Long> stats = c.stats().snapshot();
            sb.append(",\"retries\":").append(stats.get("upstream_rq_retry"))
                    .append(",\"connect_failures\":").append(stats.get("upstream_cx_connect_fail"))
                    .append(",\"cx_active\":").append(c.resources().connections())
                    .append(",\"rq_pending\":").append(c.resources().pendingRequests())
                    .append(",\"hosts\":[");
            boolean firstHost = true;
            for (Host h : c.hosts()) {
                sb.append(firstHost ? "" : ",").append("{\"address\":");
                ConfigDump.string(sb, h.addressString());
                sb.append(",\"healthy\":").append(h.health().healthy())
                        .append(",\"health_flags\":\"").append(h.health().envoyFlags()).append('"')
                        .append(",\"weight\":").append(h.weight())
                        .append(",\"rq_active\":").append(h.activeRequests())
                        .append(",\"rq_total\":").append(h.totalRequests())
                        .append(",\"ejections\":").append(h.health().ejectionCount()).append('}');
                firstHost = false;
            }
            sb.append("]}");
            first = false;
        }
        return sb.append("]}\n").toString();
    }

    private static void activity(StringBuilder sb, Activity.Snapshot s) {
        sb.append(",\"requests\":").append(s.requests()).append(",\"errors\":").append(s.errors())
                .append(",\"rate\":").append(num(s.rate())).append(",\"error_rate\":").append(num(s.errorRate()))
                .append(",\"p50_ms\":").append(num(s.p50Ms())).append(",\"p90_ms\":").append(num(s.p90Ms()))
                .append(",\"p99_ms\":").append(num(s.p99Ms())).append(",\"max_ms\":").append(num(s.maxMs()));
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
