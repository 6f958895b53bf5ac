package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads how a cluster spreads its traffic: {@code hash_balance_factor}, {@code least_request_lb_config},
 * {@code round_robin_lb_config}, {@code slow_start_config}, {@code overprovisioning_factor}, and aggregate clusters
 * ({@code type: aggregate}). Errors are recorded on the nodes, with their line and column.
 */
final class BalancingConfigReader {
    private BalancingConfigReader() {
    }

    /**
     * {@code type: aggregate, clusters: [primary, secondary]}: no endpoints or upstream settings of its own (its
     * clusters have them); names are checked against the other clusters by {@link #checkAggregates}.
     */
    static ClusterConfig aggregateCluster(ConfigMap m) {
        String name = m.requiredString("name").orElse(null);
        List<String> children = new ArrayList<>();
        for (ConfigNode c : m.required("clusters").map(ConfigNode::asList).orElse(List.of())) {
            c.asString().ifPresent(children::add);
        }
        for (String key : List.of("endpoints", "lb_policy", "health_check", "outlier_detection", "tls",
                "http2_protocol_options", "ring_hash", "hash_balance_factor", "dns_refresh_rate", "respect_dns_ttl",
                "dns_resolvers", "dns_lookup_family")) {
            m.optional(key).ifPresent(k -> k.error(key + " is not for an aggregate cluster (its clusters have their own)"));
        }
        Duration connectTimeout = m.duration("connect_timeout", ClusterConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1));
        CircuitBreakersConfig cb = m.optional("circuit_breakers").map(ResilienceConfigReader::circuitBreakers)
                .orElse(CircuitBreakersConfig.DEFAULT);
        int overprovisioning = (int) m.integer("overprovisioning_factor", LoadBalancingConfig.DEFAULT_OVERPROVISIONING,
                100, 100_000);
        m.finish();
        if (children.isEmpty()) {
            m.optional("clusters").ifPresent(c -> c.error("no clusters (expected: at least one cluster name)"));
            return null;
        }
        return name == null ? null : new ClusterConfig(name, List.of(), ClusterConfig.LbPolicy.ROUND_ROBIN,
                RingHashConfig.DEFAULT, connectTimeout, ConnectionPoolConfig.DEFAULT, null, null, null, cb, null,
                ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL,
                new LoadBalancingConfig(0, 2, 1.0, null, overprovisioning), children, null);
    }

    /** An aggregate cluster's {@code clusters} must name clusters of their own endpoints, other than itself. */
    static void checkAggregates(List<ClusterConfig> clusters, Map<String, ConfigNode> nodes) {
        Map<String, ClusterConfig> byName = new HashMap<>();
        for (ClusterConfig c : clusters) {
            byName.putIfAbsent(c.name(), c);
        }
        for (ClusterConfig c : clusters) {
            if (!c.isAggregate()) {
                continue;
            }
            for (String child : c.aggregateClusters()) {
                ClusterConfig target = byName.get(child);
                String problem = target == null ? "'" + child + "' is not a cluster"
                        : target.isAggregate() ? "'" + child + "' is an aggregate cluster (nesting is not supported)" : null;
                if (problem != null) {
                    nodes.get(c.name()).error(problem);
                }
            }
            if (c.aggregateClusters().stream().distinct().count() < c.aggregateClusters().size()) {
                nodes.get(c.name()).error("clusters names a cluster twice");
            }
        }
    }

    /** A cluster's {@code hash_balance_factor} and {@code least_request_lb_config}, checked against its policy. */
    static LoadBalancingConfig loadBalancing(ConfigMap m, ClusterConfig.LbPolicy lb) {
        LoadBalancingConfig d = LoadBalancingConfig.DEFAULT;
        int factor = (int) m.integer("hash_balance_factor", 0, 100, 100_000);
        if (factor > 0 && lb != ClusterConfig.LbPolicy.RING_HASH && lb != ClusterConfig.LbPolicy.MAGLEV) {
            m.optional("hash_balance_factor").get().error("hash_balance_factor needs lb_policy ring_hash or maglev");
        }
        int choices = d.choiceCount();
        double bias = d.activeRequestBias();
        SlowStartConfig slowStart = null;
        var lr = m.optional("least_request_lb_config");
        if (lr.isPresent()) {
            ConfigMap lm = lr.get().asMap();
            choices = (int) lm.integer("choice_count", choices, 2, 100);
            bias = lm.number("active_request_bias", bias, 0, 100);
            slowStart = lm.optional("slow_start_config").map(BalancingConfigReader::slowStart).orElse(null);
            lm.finish();
            if (lb != ClusterConfig.LbPolicy.LEAST_REQUEST) {
                lr.get().error("least_request_lb_config needs lb_policy least_request");
            }
        }
        var rr = m.optional("round_robin_lb_config");
        if (rr.isPresent()) {
            ConfigMap rm = rr.get().asMap();
            slowStart = rm.optional("slow_start_config").map(BalancingConfigReader::slowStart).orElse(slowStart);
            rm.finish();
            if (lb != ClusterConfig.LbPolicy.ROUND_ROBIN) {
                rr.get().error("round_robin_lb_config needs lb_policy round_robin");
            }
        }
        int overprovisioning = (int) m.integer("overprovisioning_factor", LoadBalancingConfig.DEFAULT_OVERPROVISIONING, 100,
                100_000);
        return new LoadBalancingConfig(factor, choices, bias, slowStart, overprovisioning);
    }

    /** {@code slow_start_config: { slow_start_window, aggression, min_weight_percent }}; Envoy's wrapped forms too. */
    private static SlowStartConfig slowStart(ConfigNode n) {
        ConfigMap m = n.asMap();
        Optional<ConfigNode> windowNode = m.required("slow_start_window");
        Duration window = windowNode.isPresent() ? m.duration("slow_start_window", null, Duration.ofMillis(1)) : null;
        double aggression = wrapped(m, "aggression", "default_value", 0.01, 100, 1.0);
        double minPercent = wrapped(m, "min_weight_percent", "value", 0, 100, 10.0);
        m.finish();
        return window == null ? null : new SlowStartConfig(window, aggression, minPercent);
    }

    /** A number, or Envoy's wrapper around one ({@code { default_value: 1.5 }}, {@code { value: 10 }}). */
    private static double wrapped(ConfigMap parent, String key, String inner, double min, double max, double dflt) {
        Optional<ConfigNode> n = parent.optional(key);
        if (n.isPresent() && n.get().isMap()) {
            ConfigMap m = n.get().asMap();
            double v = m.number(inner, dflt, min, max);
            m.finish();
            return v;
        }
        return parent.number(key, dflt, min, max);
    }
}
