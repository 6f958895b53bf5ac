package io.outrigger.config;

import java.time.Duration;
import java.util.Map;

/**
 * Where listeners and clusters come from besides the file: Envoy's bootstrap {@code node} and
 * {@code dynamic_resources}, with aggregated discovery (ADS) from a control plane over xDS v3.
 *
 * @param node                the identity sent to the control plane
 * @param adsCluster          the static cluster the control plane is reached through (HTTP/2; TLS when it has
 *                            {@code tls})
 * @param delta               {@code api_type: DELTA_GRPC} (incremental xDS) rather than {@code GRPC} (state of the world)
 * @param lds                 {@code lds_config: { ads: {} }}: listeners (and their routes) from the control plane
 * @param cds                 {@code cds_config: { ads: {} }}: clusters (and their endpoints) from the control plane
 * @param nodeOnFirstMessageOnly {@code set_node_on_first_message_only}: the node goes with the stream's first request
 *                            only (default false, as in Envoy: with every request)
 * @param initialFetchTimeout how long readiness waits for the first complete set before the server reports ready
 *                            anyway with what it has (Envoy's {@code initial_fetch_timeout}, default 15 s; zero: wait
 *                            forever)
 */
public record DynamicResourcesConfig(Node node, String adsCluster, boolean delta, boolean lds, boolean cds,
                                     boolean nodeOnFirstMessageOnly, Duration initialFetchTimeout) {
    /**
     * Envoy's {@code config.core.v3.Node}.
     *
     * @param id       {@code id}: this sidecar (required)
     * @param cluster  {@code cluster}: the service it runs beside
     * @param metadata {@code metadata}: string values the control plane may select on
     */
    public record Node(String id, String cluster, Map<String, String> metadata) {
        public Node {
            metadata = Map.copyOf(metadata);
        }
    }
}
