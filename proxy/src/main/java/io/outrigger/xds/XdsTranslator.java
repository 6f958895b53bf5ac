package io.outrigger.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Envoy v3 resources into Outrigger's config tree (the YAML contract's maps and lists), which the ordinary config
 * reader then validates. Reshapes only where Outrigger's YAML differs from Envoy's (addresses, the HTTP connection
 * manager's nesting, {@code load_assignment}, {@code typed_config} wrappers, enum spellings); every other set field is
 * carried under its Envoy name, so a field Outrigger does not support fails validation by name — the NACK's detail.
 * Stateless.
 */
final class XdsTranslator {
    /** HTTP filters by their {@code typed_config} type: Outrigger's filter name. */
    private static final Map<String, String> HTTP_FILTERS = Map.ofEntries(
            Map.entry("envoy.extensions.filters.http.cors.v3.Cors", "cors"),
            Map.entry("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", "local_ratelimit"),
            Map.entry("envoy.extensions.filters.http.rbac.v3.RBAC", "rbac"),
            Map.entry("envoy.extensions.filters.http.fault.v3.HTTPFault", "fault"),
            Map.entry("envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication", "jwt_authn"),
            Map.entry("envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "ext_authz"),
            Map.entry("envoy.extensions.filters.http.compressor.v3.Compressor", "compressor"),
            Map.entry("envoy.extensions.filters.http.decompressor.v3.Decompressor", "decompressor"),
            Map.entry("envoy.extensions.filters.http.buffer.v3.Buffer", "buffer"),
            Map.entry("envoy.extensions.filters.http.health_check.v3.HealthCheck", "health_check"),
            Map.entry("envoy.extensions.filters.http.cache.v3.CacheConfig", "cache"));
    /** Per-route settings types: the filter they configure. */
    private static final Map<String, String> PER_ROUTE = Map.ofEntries(
            Map.entry("envoy.extensions.filters.http.cors.v3.CorsPolicy", "cors"),
            Map.entry("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", "local_ratelimit"),
            Map.entry("envoy.extensions.filters.http.rbac.v3.RBACPerRoute", "rbac"),
            Map.entry("envoy.extensions.filters.http.fault.v3.HTTPFault", "fault"),
            Map.entry("envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig", "jwt_authn"),
            Map.entry("envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute", "ext_authz"),
            Map.entry("envoy.extensions.filters.http.buffer.v3.BufferPerRoute", "buffer"));
    private static final String ROUTER = "envoy.extensions.filters.http.router.v3.Router";
    private static final String HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    private static final String FILTER_CONFIG = "envoy.config.route.v3.FilterConfig";
    /** HTTP connection manager fields that have no effect on Outrigger's behaviour (statistics names). */
    private static final Set<String> HCM_IGNORED = Set.of("stat_prefix");

    private XdsTranslator() {
    }

    /** What a resource needs that has not arrived yet (its RDS or EDS resource): it waits, as Envoy's warming does. */
    record Missing(String typeUrl, String name) {
    }

    /** A cluster's tree, or what it waits for. */
    record Translated(Map<String, Object> tree, Missing missing) {
    }

    /**
     * @param assignments the EDS resources received, by cluster (or {@code service_name})
     * @throws XdsException naming the field Outrigger cannot take
     */
    static Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments) throws XdsException {
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
                return new Translated(null, new Missing(XdsTypes.EDS, service));
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
        if (j.remove("health_checks") instanceof List<?> checks && !checks.isEmpty()) {
            if (checks.size() > 1) {
                throw new XdsException("health_checks: " + checks.size() + " checks (Outrigger runs one per cluster)");
            }
            j.put("health_check", checks.get(0));
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
        if (j.containsKey("transport_socket")) {
            throw new XdsException("transport_socket: upstream TLS from xDS is not supported yet");
        }
        out.putAll(j); // anything else keeps its Envoy name: the config reader takes it or names it
        return new Translated(out, null);
    }

    /** A {@code ClusterLoadAssignment}'s hosts: {@code { address: ip:port, weight, priority }}, healthy or unknown only. */
    private static List<Object> endpoints(Map<String, Object> cla) throws XdsException {
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

    /**
     * @param routes the RDS resources received, by name
     * @throws XdsException naming the field Outrigger cannot take
     */
    static Translated listener(Listener l, Map<String, RouteConfiguration> routes) throws XdsException {
        Map<String, Object> j = ProtoJson.map(l);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", j.remove("name"));
        Map<String, Object> socket = map(map(j.remove("address")).get("socket_address"));
        if (socket == null) {
            throw new XdsException("address: expected a socket_address");
        }
        out.put("address", hostPort(socket));
        List<Object> chains = list(j.remove("filter_chains"));
        if (chains.size() != 1) {
            throw new XdsException("filter_chains: " + chains.size() + " chains (Outrigger takes exactly one, without filter_chain_match)");
        }
        Map<String, Object> chain = map(chains.get(0));
        chain.remove("name");
        if (chain.containsKey("filter_chain_match") || chain.containsKey("transport_socket")) {
            throw new XdsException("filter_chains[0]." + (chain.containsKey("filter_chain_match") ? "filter_chain_match"
                    : "transport_socket") + ": not supported yet");
        }
        List<Object> filters = list(chain.remove("filters"));
        if (filters.size() != 1 || !typeOf(map(map(filters.get(0)).get("typed_config"))).equals(HCM)) {
            throw new XdsException("filter_chains[0].filters: expected exactly one http_connection_manager");
        }
        if (!chain.isEmpty()) {
            throw new XdsException("filter_chains[0]." + chain.keySet().iterator().next() + ": not supported");
        }
        Map<String, Object> hcm = map(map(filters.get(0)).get("typed_config"));
        hcm.remove("@type");
        HCM_IGNORED.forEach(hcm::remove);
        Missing missing = null;
        Map<String, Object> inline = map(hcm.remove("route_config"));
        Map<String, Object> rds = map(hcm.remove("rds"));
        if (inline != null) {
            out.put("virtual_hosts", virtualHosts(inline));
        } else if (rds != null && rds.get("route_config_name") instanceof String routeName) {
            RouteConfiguration rc = routes.get(routeName);
            if (rc == null) {
                missing = new Missing(XdsTypes.RDS, routeName);
            } else {
                out.put("virtual_hosts", virtualHosts(ProtoJson.map(rc)));
            }
        } else {
            throw new XdsException("http_connection_manager: expected route_config or rds.route_config_name");
        }
        List<Object> httpFilters = new ArrayList<>();
        List<Object> listed = list(hcm.remove("http_filters"));
        for (int i = 0; i < listed.size(); i++) {
            Map<String, Object> f = map(listed.get(i));
            Map<String, Object> typed = map(f.get("typed_config"));
            String type = typeOf(typed);
            if (type.equals(ROUTER)) {
                if (i != listed.size() - 1) {
                    throw new XdsException("http_filters[" + i + "]: the router must be the last filter");
                }
                continue;
            }
            String ours = HTTP_FILTERS.get(type);
            if (ours == null) {
                throw new XdsException("http_filters[" + i + "] (" + f.get("name") + "): " + (type.isEmpty()
                        ? "no typed_config" : type) + " is not supported");
            }
            typed.remove("@type");
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", ours);
            if (!typed.isEmpty()) {
                entry.put("config", typed);
            }
            httpFilters.add(entry);
        }
        if (!httpFilters.isEmpty()) {
            out.put("http_filters", httpFilters);
        }
        Map<String, Object> common = map(hcm.remove("common_http_protocol_options"));
        if (common != null) {
            out.putAll(common); // idle_timeout, max_requests_per_connection (anything else: named by the reader)
        }
        if (j.get("drain_type") instanceof String d) {
            j.put("drain_type", d.toLowerCase(Locale.ROOT));
        }
        out.putAll(hcm);
        out.putAll(j);
        return new Translated(missing == null ? out : null, missing);
    }

    /** The RDS route configuration a listener's HTTP connection manager names, or {@code null}. */
    static String rdsName(Listener l) {
        for (var chain : l.getFilterChainsList()) {
            for (var f : chain.getFiltersList()) {
                if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().endsWith(HCM)) {
                    try {
                        var hcm = f.getTypedConfig().unpack(
                                io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.class);
                        if (hcm.hasRds()) {
                            return hcm.getRds().getRouteConfigName();
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        return null; // the listener itself is rejected for it
                    }
                }
            }
        }
        return null;
    }

    /** A {@code RouteConfiguration}'s virtual hosts, their per-filter settings keyed by Outrigger's filter names. */
    private static List<Object> virtualHosts(Map<String, Object> rc) throws XdsException {
        rc.remove("name");
        List<Object> hosts = list(rc.remove("virtual_hosts"));
        if (!rc.isEmpty()) {
            throw new XdsException("route_config." + rc.keySet().iterator().next() + ": not supported");
        }
        for (Object h : hosts) {
            Map<String, Object> vh = map(h);
            perFilter(vh);
            for (Object r : list(vh.get("routes"))) {
                perFilter(map(r));
            }
        }
        return hosts;
    }

    private static void perFilter(Map<String, Object> owner) throws XdsException {
        Map<String, Object> typed = map(owner.remove("typed_per_filter_config"));
        if (typed == null) {
            return;
        }
        Map<String, Object> ours = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : typed.entrySet()) {
            Map<String, Object> v = map(e.getValue());
            String type = typeOf(v);
            v.remove("@type");
            if (type.equals(FILTER_CONFIG)) {
                Map<String, Object> inner = map(v.get("config"));
                String innerType = typeOf(inner);
                String name = PER_ROUTE.getOrDefault(innerType, HTTP_FILTERS.get(innerType));
                if (Boolean.TRUE.equals(v.get("disabled"))) {
                    ours.put(name == null ? shortName(e.getKey()) : name, Map.of("disabled", true));
                    continue;
                }
                v = inner;
                type = innerType;
                v.remove("@type");
            }
            String name = PER_ROUTE.get(type);
            if (name == null) {
                throw new XdsException("typed_per_filter_config." + e.getKey() + ": " + type + " is not supported");
            }
            ours.put(name, v);
        }
        owner.put("typed_per_filter_config", ours);
    }

    /** {@code envoy.filters.http.cors} → {@code cors}. */
    private static String shortName(String envoyName) {
        int dot = envoyName.lastIndexOf('.');
        return dot < 0 ? envoyName : envoyName.substring(dot + 1);
    }

    private static String hostPort(Map<String, Object> socket) {
        String host = String.valueOf(socket.get("address"));
        int port = number(socket.get("port_value"), 0);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String typeOf(Map<String, Object> any) {
        if (any == null || !(any.get("@type") instanceof String t)) {
            return "";
        }
        int slash = t.lastIndexOf('/');
        return slash < 0 ? t : t.substring(slash + 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private static int number(Object o, int dflt) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        if (o instanceof String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }
}
