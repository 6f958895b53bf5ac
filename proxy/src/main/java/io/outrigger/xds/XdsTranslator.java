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
        return cluster(c, assignments, Map.of(), null);
    }

    /**
     * @param assignments the EDS resources received, by cluster (or {@code service_name})
     * @param secrets     the SDS resources received, by name (an upstream client certificate or CA)
     * @param files       where inline PEM material is kept as files
     * @throws XdsException naming the field Outrigger cannot take
     */
    static Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments,
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
            if (!typeOf(ctx).equals(UPSTREAM_TLS)) {
                throw new XdsException("transport_socket: expected an UpstreamTlsContext");
            }
            TlsResult tls = upstreamTls(ctx, secrets, files);
            if (tls.missing() != null) {
                return new Translated(null, tls.missing());
            }
            out.put("tls", tls.tree());
        }
        out.putAll(j); // anything else keeps its Envoy name: the config reader takes it or names it
        return new Translated(out, null);
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

    /**
     * @param routes the RDS resources received, by name
     * @throws XdsException naming the field Outrigger cannot take
     */
    static Translated listener(Listener l, Map<String, RouteConfiguration> routes) throws XdsException {
        return listener(l, routes, Map.of(), null);
    }

    /**
     * @param routes  the RDS resources received, by name
     * @param secrets the SDS resources received, by name
     * @param files   where inline PEM material is kept as files (for a listener with TLS)
     * @throws XdsException naming the field Outrigger cannot take
     */
    static Translated listener(Listener l, Map<String, RouteConfiguration> routes,
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
        Missing missingSecret = null;
        Map<String, Object> socketConfig = map(chain.remove("transport_socket"));
        if (socketConfig != null) {
            Map<String, Object> tlsContext = map(socketConfig.get("typed_config"));
            if (!typeOf(tlsContext).equals(DOWNSTREAM_TLS)) {
                throw new XdsException("filter_chains[0].transport_socket: expected a DownstreamTlsContext");
            }
            TlsResult tls = downstreamTls(tlsContext, secrets, files);
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
        missing = missing != null ? missing : missingSecret;
        return new Translated(missing == null ? out : null, missing);
    }

    private static final String DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

    private record TlsResult(Map<String, Object> tree, Missing missing) {
    }

    /**
     * A {@code DownstreamTlsContext} into the listener's {@code tls}: certificates inline, from files or from SDS
     * ({@code tls_certificate_sds_secret_configs}), the client-certificate validation context likewise, ALPN, and
     * {@code require_client_certificate}.
     */
    private static TlsResult downstreamTls(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files) throws XdsException {
        ctx.remove("@type");
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> common = map(ctx.remove("common_tls_context"));
        Object require = ctx.remove("require_client_certificate");
        if (!ctx.isEmpty()) {
            throw new XdsException("transport_socket." + ctx.keySet().iterator().next() + ": not supported");
        }
        if (common == null) {
            throw new XdsException("transport_socket: no common_tls_context");
        }
        List<Object> certificates = new ArrayList<>();
        for (Object c : list(common.remove("tls_certificates"))) {
            certificates.add(certificate(map(c), files));
        }
        for (Object sds : list(common.remove("tls_certificate_sds_secret_configs"))) {
            String name = (String) map(sds).get("name");
            var secret = secrets.get(name);
            if (secret == null) {
                return new TlsResult(null, new Missing(XdsTypes.SDS, name));
            }
            if (!secret.hasTlsCertificate()) {
                throw new XdsException("secret '" + name + "': expected a tls_certificate");
            }
            certificates.add(certificate(map(ProtoJson.map(secret).get("tls_certificate")), files));
        }
        out.put("certificates", certificates);
        if (common.get("alpn_protocols") != null) {
            out.put("alpn_protocols", common.remove("alpn_protocols"));
        }
        Map<String, Object> validation = map(common.remove("validation_context"));
        Map<String, Object> validationSds = map(common.remove("validation_context_sds_secret_config"));
        if (validationSds != null) {
            String name = (String) validationSds.get("name");
            var secret = secrets.get(name);
            if (secret == null) {
                return new TlsResult(null, new Missing(XdsTypes.SDS, name));
            }
            if (!secret.hasValidationContext()) {
                throw new XdsException("secret '" + name + "': expected a validation_context");
            }
            validation = map(ProtoJson.map(secret).get("validation_context"));
        }
        if (validation != null) {
            Map<String, Object> v = new LinkedHashMap<>();
            Map<String, Object> ca = map(validation.remove("trusted_ca"));
            if (ca != null) {
                v.put("trusted_ca", dataSource(ca, files));
            }
            if (validation.get("match_subject_alt_names") != null) {
                v.put("match_subject_alt_names", validation.remove("match_subject_alt_names"));
            }
            if (!validation.isEmpty()) {
                throw new XdsException("validation_context." + validation.keySet().iterator().next() + ": not supported");
            }
            out.put("validation", v);
        }
        if (require != null) {
            out.put("require_client_certificate", require);
        }
        if (!common.isEmpty()) {
            throw new XdsException("common_tls_context." + common.keySet().iterator().next() + ": not supported");
        }
        return new TlsResult(out, null);
    }

    private static final String UPSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

    /**
     * An {@code UpstreamTlsContext} into the cluster's {@code tls}: {@code sni}, the CA ({@code validation_context}
     * or its SDS secret), a client certificate (inline, file or SDS: mTLS), ALPN. Hostnames are verified against
     * {@code sni} (or the endpoint's name), as Outrigger always does.
     */
    private static TlsResult upstreamTls(Map<String, Object> ctx, Map<String,
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets, SecretFiles files) throws XdsException {
        ctx.remove("@type");
        Map<String, Object> out = new LinkedHashMap<>();
        if (ctx.get("sni") != null) {
            out.put("sni", ctx.remove("sni"));
        }
        Map<String, Object> common = map(ctx.remove("common_tls_context"));
        if (!ctx.isEmpty()) {
            throw new XdsException("transport_socket." + ctx.keySet().iterator().next() + ": not supported");
        }
        if (common == null) {
            return new TlsResult(out, null);
        }
        List<Object> certificates = new ArrayList<>(list(common.remove("tls_certificates")));
        for (Object sds : list(common.remove("tls_certificate_sds_secret_configs"))) {
            String name = (String) map(sds).get("name");
            var secret = secrets.get(name);
            if (secret == null) {
                return new TlsResult(null, new Missing(XdsTypes.SDS, name));
            }
            certificates.add(map(ProtoJson.map(secret).get("tls_certificate")));
        }
        if (certificates.size() > 1) {
            throw new XdsException("tls_certificates: " + certificates.size() + " client certificates (at most one)");
        }
        if (certificates.size() == 1) {
            out.putAll(certificate(map(certificates.get(0)), files));
        }
        Map<String, Object> validation = map(common.remove("validation_context"));
        Map<String, Object> validationSds = map(common.remove("validation_context_sds_secret_config"));
        if (validationSds != null) {
            String name = (String) validationSds.get("name");
            var secret = secrets.get(name);
            if (secret == null) {
                return new TlsResult(null, new Missing(XdsTypes.SDS, name));
            }
            validation = map(ProtoJson.map(secret).get("validation_context"));
        }
        if (validation != null) {
            Map<String, Object> ca = map(validation.remove("trusted_ca"));
            if (ca != null) {
                out.put("trusted_ca", dataSource(ca, files));
            }
            if (!validation.isEmpty()) {
                throw new XdsException("validation_context." + validation.keySet().iterator().next() + ": not supported");
            }
        }
        if (common.get("alpn_protocols") != null) {
            out.put("alpn_protocols", common.remove("alpn_protocols"));
        }
        if (!common.isEmpty()) {
            throw new XdsException("common_tls_context." + common.keySet().iterator().next() + ": not supported");
        }
        return new TlsResult(out, null);
    }

    private static Map<String, Object> certificate(Map<String, Object> c, SecretFiles files) throws XdsException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("certificate_chain", dataSource(map(c.remove("certificate_chain")), files));
        out.put("private_key", dataSource(map(c.remove("private_key")), files));
        if (!c.isEmpty()) {
            throw new XdsException("tls_certificate." + c.keySet().iterator().next() + ": not supported");
        }
        return out;
    }

    /** Envoy's {@code DataSource}: a file as it is, inline material kept as a private file. */
    private static String dataSource(Map<String, Object> ds, SecretFiles files) throws XdsException {
        if (ds == null) {
            throw new XdsException("tls: a certificate_chain, private_key or trusted_ca is missing");
        }
        if (ds.get("filename") instanceof String f) {
            return f;
        }
        String inline = ds.get("inline_string") instanceof String s ? s
                : ds.get("inline_bytes") instanceof String b ? new String(java.util.Base64.getDecoder().decode(b),
                java.nio.charset.StandardCharsets.UTF_8) : null;
        if (inline == null || files == null) {
            throw new XdsException("tls: expected filename, inline_string or inline_bytes");
        }
        return files.write(inline);
    }

    /** The SDS secrets a listener's TLS context names (certificates and validation context). */
    static List<String> sdsNames(Listener l) {
        List<String> names = new ArrayList<>();
        for (var chain : l.getFilterChainsList()) {
            if (!chain.hasTransportSocket() || !chain.getTransportSocket().getTypedConfig().getTypeUrl().endsWith(DOWNSTREAM_TLS)) {
                continue;
            }
            try {
                var ctx = chain.getTransportSocket().getTypedConfig().unpack(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class).getCommonTlsContext();
                ctx.getTlsCertificateSdsSecretConfigsList().forEach(c -> names.add(c.getName()));
                if (ctx.hasValidationContextSdsSecretConfig()) {
                    names.add(ctx.getValidationContextSdsSecretConfig().getName());
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // the listener itself is rejected for it
            }
        }
        return names;
    }

    /** The SDS secrets a cluster's upstream TLS context names. */
    static List<String> sdsNames(Cluster c) {
        List<String> names = new ArrayList<>();
        if (c.hasTransportSocket() && c.getTransportSocket().getTypedConfig().getTypeUrl().endsWith(UPSTREAM_TLS)) {
            try {
                var ctx = c.getTransportSocket().getTypedConfig().unpack(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class).getCommonTlsContext();
                ctx.getTlsCertificateSdsSecretConfigsList().forEach(x -> names.add(x.getName()));
                if (ctx.hasValidationContextSdsSecretConfig()) {
                    names.add(ctx.getValidationContextSdsSecretConfig().getName());
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // the cluster itself is rejected for it
            }
        }
        return names;
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
