package io.outrigger.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Envoy's bootstrap keys {@code node} and {@code dynamic_resources} (xDS over ADS). Accepted forms of the ADS
 * source: {@code ads_config: { cluster: xds_cluster }} or Envoy's {@code ads_config: { api_type: GRPC,
 * transport_api_version: V3, grpc_services: [ { envoy_grpc: { cluster_name: xds_cluster } } ] }}.
 */
final class DynamicResourcesReader {
    /** {@code api_type}: whether incremental; in this order in error messages. */
    private static final Map<String, Boolean> API_TYPES = new LinkedHashMap<>();

    static {
        API_TYPES.put("GRPC", false);
        API_TYPES.put("DELTA_GRPC", true);
    }

    private DynamicResourcesReader() {
    }

    /**
     * @param top      the document's top-level map
     * @param clusters the static clusters by name, for the ADS cluster's reference
     * @return the settings, or {@code null} without {@code dynamic_resources} (or after errors)
     */
    static DynamicResourcesConfig read(ConfigMap top, Map<String, ConfigNode> clusters) {
        ConfigNode nodeNode = top.optional("node").orElse(null);
        ConfigNode dyn = top.optional("dynamic_resources").orElse(null);
        DynamicResourcesConfig.Node node = nodeNode == null ? null : node(nodeNode);
        if (dyn == null) {
            return null;
        }
        if (nodeNode == null) {
            dyn.error("dynamic_resources needs 'node: { id: ... }' (the control plane tells sidecars apart by it)");
        }
        ConfigMap m = dyn.asMap();
        ConfigNode ads = m.required("ads_config").orElse(null);
        String cluster = null;
        boolean delta = false;
        boolean nodeOnce = false;
        if (ads != null) {
            ConfigMap a = ads.asMap();
            delta = a.oneOf("api_type", API_TYPES, false);
            a.oneOf("transport_api_version", Map.of("V3", true), true);
            nodeOnce = a.bool("set_node_on_first_message_only", false);
            cluster = a.string("cluster").orElse(null);
            if (a.has("grpc_services")) {
                List<ConfigNode> services = a.list("grpc_services");
                if (services.size() != 1) {
                    a.optional("grpc_services").get().error("expected exactly one grpc service");
                } else {
                    ConfigMap s = services.get(0).asMap();
                    ConfigNode envoyGrpc = s.required("envoy_grpc").orElse(null);
                    s.optional("timeout");
                    s.finish();
                    if (envoyGrpc != null) {
                        ConfigMap e = envoyGrpc.asMap();
                        String named = e.requiredString("cluster_name").orElse(null);
                        e.finish();
                        if (cluster != null && named != null) {
                            ads.error("give 'cluster' or 'grpc_services', not both");
                        }
                        cluster = cluster == null ? named : cluster;
                    }
                }
            } else if (cluster == null) {
                ads.error("missing required key 'cluster' (the static cluster of the control plane)");
            }
            ConfigNode clusterNode = a.optional("cluster").or(() -> a.optional("grpc_services")).orElse(ads);
            a.finish();
            if (cluster != null && !clusters.containsKey(cluster)) {
                clusterNode.error("unknown cluster '" + cluster + "' (the ADS cluster must be a static cluster of this file)");
            }
        }
        boolean lds = source(m, "lds_config");
        boolean cds = source(m, "cds_config");
        Duration timeout = m.duration("initial_fetch_timeout", Duration.ofSeconds(15), Duration.ZERO);
        m.finish();
        if (!lds && !cds) {
            dyn.error("expected lds_config and/or cds_config: { ads: {} }");
        }
        return node == null || cluster == null ? null
                : new DynamicResourcesConfig(node, cluster, delta, lds, cds, nodeOnce, timeout);
    }

    /** {@code lds_config}/{@code cds_config}: only {@code { ads: {} }} (and its {@code resource_api_version: V3}). */
    private static boolean source(ConfigMap m, String key) {
        ConfigNode n = m.optional(key).orElse(null);
        if (n == null) {
            return false;
        }
        ConfigMap s = n.asMap();
        boolean ads = s.has("ads");
        s.oneOf("resource_api_version", Map.of("V3", true), true);
        s.optional("ads");
        s.finish();
        if (!ads) {
            n.error("expected { ads: {} } (resources come over the ADS stream of ads_config)");
        }
        return ads;
    }

    private static DynamicResourcesConfig.Node node(ConfigNode n) {
        ConfigMap m = n.asMap();
        String id = m.requiredString("id").orElse(null);
        String cluster = m.string("cluster", "");
        Map<String, String> metadata = new LinkedHashMap<>();
        if (m.has("metadata")) {
            ConfigMap md = m.map("metadata");
            for (String k : List.copyOf(md.keys())) {
                md.optional(k).flatMap(ConfigNode::asString).ifPresent(v -> metadata.put(k, v));
            }
            md.finish();
        }
        m.optional("locality");
        m.finish();
        return id == null ? null : new DynamicResourcesConfig.Node(id, cluster, metadata);
    }
}
