package io.outrigger.config;

import java.time.Duration;
import java.util.List;

/**
 * A cluster: a named upstream service and how to reach its endpoints.
 *
 * @param name           unique name referenced by routes
 * @param endpoints      static endpoints (at least one)
 * @param lbPolicy       how a host is picked: {@code round_robin} (default), {@code least_request}, {@code random},
 *                       {@code ring_hash} or {@code maglev}
 * @param ringHash       ring settings for {@code ring_hash}
 * @param connectTimeout TCP connect timeout; default 5s (Envoy's default)
 * @param connectionPool pool limits and timeouts
 * @param tls            when not {@code null}, upstream connections use TLS
 * @param healthCheck    active health checking, or {@code null}
 * @param outlierDetection passive outlier detection, or {@code null}
 * @param circuitBreakers resource limits (always present; defaults as Envoy)
 * @param http2ProtocolOptions when not {@code null}, the cluster speaks HTTP/2 upstream
 * @param protocolSelection which protocol a request goes upstream in
 * @param loadBalancing  {@code hash_balance_factor} and {@code least_request_lb_config}
 * @param aggregateClusters {@code type: aggregate} with {@code clusters: [primary, secondary]} (Envoy's aggregate
 *                       cluster): the clusters' priority levels in this order, as one balancer; empty for a cluster of
 *                       its own endpoints
 * @param dns            {@code type: strict_dns | logical_dns} and its DNS settings; {@code null} for {@code static}
 *                       (endpoint names resolved once, when the cluster is built)
 */
public record ClusterConfig(String name, List<EndpointConfig> endpoints, LbPolicy lbPolicy, RingHashConfig ringHash,
                            Duration connectTimeout, ConnectionPoolConfig connectionPool, UpstreamTlsConfig tls,
                            HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
                            CircuitBreakersConfig circuitBreakers, Http2ProtocolOptions http2ProtocolOptions,
                            ProtocolSelection protocolSelection, LoadBalancingConfig loadBalancing,
                            List<String> aggregateClusters, DnsConfig dns) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
        aggregateClusters = List.copyOf(aggregateClusters);
    }

    /** A cluster of its own endpoints. */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, LbPolicy lbPolicy, RingHashConfig ringHash,
                         Duration connectTimeout, ConnectionPoolConfig connectionPool, UpstreamTlsConfig tls,
                         HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
                         CircuitBreakersConfig circuitBreakers, Http2ProtocolOptions http2ProtocolOptions,
                         ProtocolSelection protocolSelection, LoadBalancingConfig loadBalancing) {
        this(name, endpoints, lbPolicy, ringHash, connectTimeout, connectionPool, tls, healthCheck, outlierDetection,
                circuitBreakers, http2ProtocolOptions, protocolSelection, loadBalancing, List.of(), null);
    }

    /** This cluster with other endpoints (an EDS update, a reload that only moves hosts). */
    public ClusterConfig withEndpoints(List<EndpointConfig> next) {
        return new ClusterConfig(name, next, lbPolicy, ringHash, connectTimeout, connectionPool, tls, healthCheck,
                outlierDetection, circuitBreakers, http2ProtocolOptions, protocolSelection, loadBalancing,
                aggregateClusters, dns);
    }

    /** Whether hosts come from DNS ({@code strict_dns}, {@code logical_dns}) rather than the config. */
    public boolean usesDns() {
        return dns != null;
    }

    /** Whether this is an aggregate cluster ({@code type: aggregate}). */
    public boolean isAggregate() {
        return !aggregateClusters.isEmpty();
    }

    /** Envoy's {@code protocol_selection}. */
    public enum ProtocolSelection {
        /** HTTP/2 when {@code http2_protocol_options} is set, else HTTP/1.1 (the default). */
        USE_CONFIGURED_PROTOCOL("use_configured_protocol"),
        /** The caller's protocol: HTTP/2 (or HTTP/3) callers go upstream in HTTP/2, HTTP/1.x callers in HTTP/1.1. */
        USE_DOWNSTREAM_PROTOCOL("use_downstream_protocol");

        private final String yamlName;

        ProtocolSelection(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }

    /** Load-balancing policies, by YAML name. */
    public enum LbPolicy {
        ROUND_ROBIN("round_robin"),
        /** Envoy's: the least loaded of {@code choice_count} random hosts (power of two choices). */
        LEAST_REQUEST("least_request"),
        /** A random host, in proportion to its weight. */
        RANDOM("random"),
        RING_HASH("ring_hash"),
        /** Maglev (NSDI '16 §3.4), table size 65,537 as Envoy. */
        MAGLEV("maglev");

        private final String yamlName;

        LbPolicy(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }
}
