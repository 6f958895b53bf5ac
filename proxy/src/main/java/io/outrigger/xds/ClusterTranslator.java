package io.outrigger.xds;

import static io.outrigger.xds.Trees.hostPort;
import static io.outrigger.xds.Trees.list;
import static io.outrigger.xds.Trees.map;
import static io.outrigger.xds.Trees.number;
import static io.outrigger.xds.Trees.typeOf;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Envoy's {@code Cluster} and {@code ClusterLoadAssignment} into Outrigger's {@code clusters[]} entries. */
final class ClusterTranslator {
    private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    private ClusterTranslator() {
    }

    /**
     * @param assignments the EDS resources received, by cluster (or {@code service_name})
     * @throws XdsException naming the field Outrigger cannot take
     */
    static XdsTranslator.Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments) throws XdsException {
        return cluster(c, assignments, Map.of(), null);
    }

    /**
     * @param assignments the EDS resources received, by cluster (or {@code service_name})
     * @param secrets     the SDS resources received, by name (an upstream client certificate or CA)
     * @param files       where inline PEM material is kept as files
     * @throws XdsException naming the field Outrigger cannot take
     */
    static XdsTranslator.Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments,
                              Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets,
                              SecretFiles files) throws XdsException {
        Map<String, Object> j = ProtoJson.map(c);
        Map<String, Object> out = new LinkedHashMap<>();
        String name = (String) j.remove("name");
        out.put("name", name);
        String type = (String) j.remove("type");
        Map<String, Object> eds = map(j.remove("eds_cluster_config"));
        Object assignment = j.remove("load_assignment");
        if ("EDS".equals(type)) {
            String service = eds != null && eds.get("service_name") instanceof String s && !s.isEmpty() ? s : name;
            ClusterLoadAssignment cla = assignments.get(service);
            if (cla == null) {
                return new XdsTranslator.Translated(null, new XdsTranslator.Missing(XdsTypes.EDS, service));
            }
            out.put("type", "eds");
            out.put("endpoints", endpoints(ProtoJson.map(cla)));
        } else {
            if (type != null && !type.equals("STATIC")) {
                if (!type.equals("STRICT_DNS") && !type.equals("LOGICAL_DNS")) {
                    throw new XdsException("type: " + type + " (expected: STATIC, STRICT_DNS, LOGICAL_DNS or EDS)");
                }
                out.put("type", type.toLowerCase(Locale.ROOT));
            }
            out.put("endpoints", assignment == null ? List.of() : endpoints(map(assignment)));
        }
        if (j.get("lb_policy") instanceof String lb) {
            j.put("lb_policy", lb.toLowerCase(Locale.ROOT));
        }
        Map<String, Object> ring = map(j.remove("ring_hash_lb_config"));
        if (ring != null) {
            Object fn = ring.remove("hash_function");
            if (fn != null && !"XX_HASH".equals(fn)) {
                throw new XdsException("ring_hash_lb_config.hash_function: " + fn + " (only XX_HASH)");
            }
            j.put("ring_hash", ring);
        }
        Map<String, Object> maglev = map(j.remove("maglev_lb_config"));
        if (maglev != null) {
            Object size = maglev.remove("table_size");
            if (size != null && number(size, -1) != 65_537) {
                throw new XdsException("maglev_lb_config.table_size: " + size + " (Outrigger's Maglev table has 65537 entries)");
            }
            if (!maglev.isEmpty()) {
                throw new XdsException("maglev_lb_config." + maglev.keySet().iterator().next() + ": not supported");
            }
        }
        if (j.remove("health_checks") instanceof List<?> checks && !checks.isEmpty()) {
            if (checks.size() > 1) {
                throw new XdsException("health_checks: " + checks.size() + " checks (Outrigger runs one per cluster)");
            }
            Map<String, Object> check = map(checks.get(0));
            Map<String, Object> http = map(check.remove("http_health_check"));
            if (http == null) {
                throw new XdsException("health_checks[0]: only http_health_check is supported");
            }
            check.putAll(http); // Outrigger's health_check: the HTTP check's path (and host) beside the timings
            j.put("health_check", check);
        }
        Map<String, Object> breakers = map(j.remove("circuit_breakers"));
        if (breakers != null) {
            Map<String, Object> flat = new LinkedHashMap<>();
            for (Object t : list(breakers.remove("thresholds"))) {
                Map<String, Object> threshold = map(t);
                Object priority = threshold.remove("priority");
                if (priority != null && !"DEFAULT".equals(priority)) {
                    throw new XdsException("circuit_breakers.thresholds: priority " + priority + " (only DEFAULT)");
                }
                flat.putAll(threshold);
            }
            if (!breakers.isEmpty()) {
                throw new XdsException("circuit_breakers." + breakers.keySet().iterator().next() + ": not supported");
            }
            j.put("circuit_breakers", flat);
        }
        Map<String, Object> protocolOptions = map(j.remove("typed_extension_protocol_options"));
        if (protocolOptions != null) {
            for (Map.Entry<String, Object> e : protocolOptions.entrySet()) {
                Map<String, Object> opts = map(e.getValue());
                if (opts == null || !typeOf(opts).equals(HTTP_PROTOCOL_OPTIONS)) {
                    throw new XdsException("typed_extension_protocol_options." + e.getKey() + ": not supported");
                }
                Map<String, Object> explicit = map(opts.remove("explicit_http_config"));
                if (opts.remove("use_downstream_protocol_config") != null) {
                    j.put("protocol_selection", "use_downstream_protocol");
                }
                if (explicit != null && explicit.containsKey("http2_protocol_options")) {
                    j.put("http2_protocol_options", explicit.get("http2_protocol_options"));
                }
                Map<String, Object> common = map(opts.remove("common_http_protocol_options"));
                if (common != null) {
                    j.put("connection_pool", connectionPool(common, "typed_extension_protocol_options." + e.getKey()));
                }
                opts.remove("@type");
                if (explicit != null) {
                    explicit.remove("http2_protocol_options");
                    explicit.remove("http_protocol_options"); // HTTP/1.1 upstream: the default
                    if (!explicit.isEmpty()) {
                        throw new XdsException("typed_extension_protocol_options." + e.getKey() + ".explicit_http_config."
                                + explicit.keySet().iterator().next() + ": not supported");
                    }
                }
                if (!opts.isEmpty()) {
                    throw new XdsException("typed_extension_protocol_options." + e.getKey() + "." + opts.keySet().iterator().next()
                            + ": not supported");
                }
            }
        }
        Map<String, Object> socketConfig = map(j.remove("transport_socket"));
        if (socketConfig != null) {
            Map<String, Object> ctx = map(socketConfig.get("typed_config"));
            if (!typeOf(ctx).equals(TlsTranslator.UPSTREAM_TLS)) {
                throw new XdsException("transport_socket: expected an UpstreamTlsContext");
            }
            TlsTranslator.TlsResult tls = TlsTranslator.upstreamTls(ctx, secrets, files);
            if (tls.missing() != null) {
                return new XdsTranslator.Translated(null, tls.missing());
            }
            out.put("tls", tls.tree());
        }
        out.putAll(j); // anything else keeps its Envoy name: the config reader takes it or names it
        return new XdsTranslator.Translated(out, null);
    }

    /**
     * Envoy's upstream {@code common_http_protocol_options} as our {@code connection_pool}: {@code idle_timeout}
     * (Envoy's default 1 h, ours 1 h for HTTP/2 and 4 s for HTTP/1.1 when unset) and
     * {@code max_requests_per_connection}, under the same names.
     *
     * @throws XdsException naming any other field, which is not supported
     */
    private static Map<String, Object> connectionPool(Map<String, Object> common, String path) throws XdsException {
        Map<String, Object> pool = new LinkedHashMap<>();
        for (String key : List.of("idle_timeout", "max_requests_per_connection")) {
            Object v = common.remove(key);
            if (v != null) {
                pool.put(key, v);
            }
        }
        if (!common.isEmpty()) {
            throw new XdsException(path + ".common_http_protocol_options." + common.keySet().iterator().next()
                    + ": not supported");
        }
        return pool;
    }

    /** A {@code ClusterLoadAssignment}'s hosts: {@code { address: ip:port, weight, priority }}, healthy or unknown only. */
    static List<Object> endpoints(Map<String, Object> cla) throws XdsException {
        List<Object> out = new ArrayList<>();
        for (Object l : list(cla.get("endpoints"))) {
            Map<String, Object> locality = map(l);
            int priority = number(locality.get("priority"), 0);
            for (Object e : list(locality.get("lb_endpoints"))) {
                Map<String, Object> lb = map(e);
                String health = (String) lb.getOrDefault("health_status", "UNKNOWN");
                if (!health.equals("UNKNOWN") && !health.equals("HEALTHY")) {
                    continue; // UNHEALTHY, DRAINING, TIMEOUT, DEGRADED: no new requests (Envoy's EDS health)
                }
                Map<String, Object> socket = map(map(map(lb.get("endpoint")).get("address")).get("socket_address"));
                if (socket == null || socket.get("address") == null) {
                    throw new XdsException("endpoints.lb_endpoints.endpoint.address: expected a socket_address");
                }
                Map<String, Object> ep = new LinkedHashMap<>();
                ep.put("address", hostPort(socket));
                ep.put("weight", number(lb.get("load_balancing_weight"), 1));
                ep.put("priority", priority);
                out.add(ep);
            }
        }
        return out;
    }

}
