package io.outrigger.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads {@code retry_policy}, {@code health_check}, {@code outlier_detection} and {@code circuit_breakers}. */
final class ResilienceConfigReader {
    private ResilienceConfigReader() {
    }

    static RetryPolicy retryPolicy(ConfigNode n) {
        ConfigMap m = n.asMap();
        Set<String> retryOn = new HashSet<>();
        Optional<ConfigNode> on = m.optional("retry_on");
        if (on.isPresent()) {
            // a list (each item located for errors), or Envoy's comma-separated string
            List<ConfigNode> nodes = on.get().isList() ? on.get().asList() : List.of(on.get());
            for (ConfigNode item : nodes) {
                for (String part : item.asString().orElse("").split(",")) {
                    String c = part.trim();
                    if (!RetryPolicy.CONDITIONS.contains(c)) {
                        item.error("'" + c + "' (expected: one of " + String.join(", ", RetryPolicy.CONDITIONS.stream().sorted().toList()) + ")");
                    } else {
                        retryOn.add(c);
                    }
                }
            }
        } else {
            m.required("retry_on");
        }
        int numRetries = (int) m.integer("num_retries", 1, 0, 100);
        Duration perTry = m.duration("per_try_timeout", Duration.ZERO, Duration.ZERO);
        Duration base = RetryPolicy.DEFAULT_BASE_INTERVAL;
        Duration max = null;
        Optional<ConfigNode> backOff = m.optional("retry_back_off");
        if (backOff.isPresent()) {
            ConfigMap b = backOff.get().asMap();
            base = b.duration("base_interval", base, Duration.ofMillis(1));
            max = b.duration("max_interval", null, Duration.ofMillis(1));
            b.finish();
        }
        if (max == null) {
            max = base.multipliedBy(10);
        } else if (max.compareTo(base) < 0) {
            backOff.get().error("max_interval is below base_interval");
            max = base;
        }
        Set<Integer> codes = new HashSet<>();
        for (ConfigNode c : m.list("retriable_status_codes")) {
            c.asLong(100, 599).ifPresent(v -> codes.add(v.intValue()));
        }
        if (retryOn.contains("retriable-status-codes") && codes.isEmpty()) {
            n.error("retry_on has retriable-status-codes but retriable_status_codes is empty");
        }
        boolean previousHosts = true;
        Optional<ConfigNode> predicate = m.optional("retry_host_predicate");
        if (predicate.isPresent()) {
            // Envoy: [ { name: envoy.retry_host_predicates.previous_hosts } ]; here also "previous_hosts" or []
            previousHosts = false;
            for (ConfigNode p : predicate.get().asList()) {
                String name = p.isMap() ? p.asMap().string("name").orElse("") : p.asString().orElse("");
                if (name.endsWith("previous_hosts")) {
                    previousHosts = true;
                } else {
                    p.error("'" + name + "' (expected: previous_hosts)");
                }
            }
        }
        long buffer = m.optional("per_request_buffer_limit_bytes").flatMap(ConfigNode::asSize).orElse(RetryPolicy.DEFAULT_BUFFER_LIMIT);
        boolean retryRetried = m.bool("retry_retried_requests", false);
        m.finish();
        return new RetryPolicy(retryOn, numRetries, perTry, base, max, codes, previousHosts, buffer, retryRetried);
    }

    static HealthCheckConfig healthCheck(ConfigNode n, String clusterName) {
        ConfigMap m = n.asMap();
        String path = m.requiredString("path").orElse("/");
        if (!path.startsWith("/")) {
            m.optional("path").get().error("'" + path + "' (expected: a path starting with '/')");
        }
        String host = m.string("host", clusterName);
        Duration interval = m.duration("interval", Duration.ofSeconds(5), Duration.ofMillis(10));
        Duration jitter = m.duration("interval_jitter", interval.dividedBy(10), Duration.ZERO);
        Duration timeout = m.duration("timeout", Duration.ofSeconds(1), Duration.ofMillis(1));
        int unhealthy = (int) m.integer("unhealthy_threshold", 3, 1, 1000);
        int healthy = (int) m.integer("healthy_threshold", 2, 1, 1000);
        Set<Integer> statuses = new HashSet<>();
        for (ConfigNode s : m.list("expected_statuses")) {
            s.asLong(100, 599).ifPresent(v -> statuses.add(v.intValue()));
        }
        m.finish();
        return new HealthCheckConfig(path, host, interval, jitter, timeout, unhealthy, healthy,
                statuses.isEmpty() ? Set.of(200) : statuses);
    }

    static OutlierDetectionConfig outlierDetection(ConfigNode n) {
        ConfigMap m = n.asMap();
        OutlierDetectionConfig c = new OutlierDetectionConfig(
                (int) m.integer("consecutive_5xx", 5, 1, 1_000_000),
                (int) m.integer("consecutive_gateway_failure", 5, 1, 1_000_000),
                m.duration("interval", Duration.ofSeconds(10), Duration.ofMillis(10)),
                m.duration("base_ejection_time", Duration.ofSeconds(30), Duration.ofMillis(1)),
                m.duration("max_ejection_time", Duration.ofSeconds(300), Duration.ofMillis(1)),
                (int) m.integer("max_ejection_percent", 10, 0, 100));
        m.finish();
        return c;
    }

    static CircuitBreakersConfig circuitBreakers(ConfigNode n) {
        ConfigMap m = n.asMap();
        CircuitBreakersConfig d = CircuitBreakersConfig.DEFAULT;
        int maxConnections = (int) m.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE);
        int maxPending = (int) m.integer("max_pending_requests", d.maxPendingRequests(), 0, Integer.MAX_VALUE);
        int maxRequests = (int) m.integer("max_requests", d.maxRequests(), 1, Integer.MAX_VALUE);
        int maxRetries = (int) m.integer("max_retries", d.maxRetries(), 0, Integer.MAX_VALUE);
        double percent = d.budgetPercent();
        int minConcurrency = d.minRetryConcurrency();
        boolean budget = true;
        Optional<ConfigNode> b = m.optional("retry_budget");
        if (b.isPresent()) {
            ConfigMap bm = b.get().asMap();
            budget = bm.bool("enabled", true);
            percent = bm.integer("budget_percent", (long) d.budgetPercent(), 0, 100);
            minConcurrency = (int) bm.integer("min_retry_concurrency", d.minRetryConcurrency(), 0, Integer.MAX_VALUE);
            bm.finish();
        }
        m.finish();
        return new CircuitBreakersConfig(maxConnections, maxPending, maxRequests, maxRetries, percent, minConcurrency, budget);
    }
}
