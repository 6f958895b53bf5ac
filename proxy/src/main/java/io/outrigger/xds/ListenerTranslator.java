package io.outrigger.xds;

import static io.outrigger.xds.Trees.hostPort;
import static io.outrigger.xds.Trees.list;
import static io.outrigger.xds.Trees.map;
import static io.outrigger.xds.Trees.typeOf;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's {@code Listener} with its HTTP connection manager, and its {@code RouteConfiguration}, into Outrigger's
 * {@code listeners[]} entries (HTTP filters and per-route settings keyed by Outrigger's filter names).
 */
final class ListenerTranslator {
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
    private static final String FILTER_CONFIG = "envoy.config.route.v3.FilterConfig";
    /** HTTP connection manager fields that have no effect on Outrigger's behaviour (statistics names). */
    private static final Set<String> HCM_IGNORED = Set.of("stat_prefix");

    private ListenerTranslator() {
    }

    /**
     * @param routes the RDS resources received, by name
     * @throws XdsException naming the field Outrigger cannot take
     */
    static XdsTranslator.Translated listener(Listener l, Map<String, RouteConfiguration> routes) throws XdsException {
        return listener(l, routes, Map.of(), null);
    }

    /**
     * @param routes  the RDS resources received, by name
     * @param secrets the SDS resources received, by name
     * @param files   where inline PEM material is kept as files (for a listener with TLS)
     * @throws XdsException naming the field Outrigger cannot take
     */
    static XdsTranslator.Translated listener(Listener l, Map<String, RouteConfiguration> routes,
                               Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets,
                               SecretFiles files) throws XdsException {
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
        if (chain.containsKey("filter_chain_match")) {
            throw new XdsException("filter_chains[0].filter_chain_match: not supported yet");
        }
        XdsTranslator.Missing missingSecret = null;
        Map<String, Object> socketConfig = map(chain.remove("transport_socket"));
        if (socketConfig != null) {
            Map<String, Object> tlsContext = map(socketConfig.get("typed_config"));
            if (!typeOf(tlsContext).equals(TlsTranslator.DOWNSTREAM_TLS)) {
                throw new XdsException("filter_chains[0].transport_socket: expected a DownstreamTlsContext");
            }
            TlsTranslator.TlsResult tls = TlsTranslator.downstreamTls(tlsContext, secrets, files);
            if (tls.missing() != null) {
                missingSecret = tls.missing();
            } else {
                out.put("tls", tls.tree());
            }
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
        XdsTranslator.Missing missing = null;
        Map<String, Object> inline = map(hcm.remove("route_config"));
        Map<String, Object> rds = map(hcm.remove("rds"));
        if (inline != null) {
            out.put("virtual_hosts", virtualHosts(inline));
        } else if (rds != null && rds.get("route_config_name") instanceof String routeName) {
            RouteConfiguration rc = routes.get(routeName);
            if (rc == null) {
                missing = new XdsTranslator.Missing(XdsTypes.RDS, routeName);
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
        missing = missing != null ? missing : missingSecret;
        return new XdsTranslator.Translated(missing == null ? out : null, missing);
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
}
