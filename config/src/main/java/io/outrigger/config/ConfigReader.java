package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Walks the composed YAML tree and builds the records, recording every problem in {@link Problems}.
 * Placeholders stand in for bad values so reading continues; the caller throws if any problem was found.
 */
final class ConfigReader {
    private static final Map<String, ListenerConfig.DrainType> DRAIN_TYPES = new LinkedHashMap<>();
    private static final Map<String, ClusterConfig.LbPolicy> LB_POLICIES = new LinkedHashMap<>();
    private static final Map<String, ClusterConfig.ProtocolSelection> PROTOCOL_SELECTIONS = new LinkedHashMap<>();

    static {
        for (ClusterConfig.ProtocolSelection p : ClusterConfig.ProtocolSelection.values()) {
            PROTOCOL_SELECTIONS.put(p.yamlName(), p);
        }
        for (ClusterConfig.LbPolicy p : ClusterConfig.LbPolicy.values()) {
            LB_POLICIES.put(p.yamlName(), p);
        }
    }

    private static final Map<String, AccessLogConfig.Format> ACCESS_LOG_FORMATS = new LinkedHashMap<>();

    static {
        DRAIN_TYPES.put("default", ListenerConfig.DrainType.DEFAULT);
        DRAIN_TYPES.put("modify_only", ListenerConfig.DrainType.MODIFY_ONLY);
        ACCESS_LOG_FORMATS.put("text", AccessLogConfig.Format.TEXT);
        ACCESS_LOG_FORMATS.put("json", AccessLogConfig.Format.JSON);
    }

    private final Problems problems;
    private final ConfigWarnings warnings = new ConfigWarnings();
    /** Whether clusters also come over CDS (routes may name clusters the file does not have). */
    private boolean clustersFromControlPlane;

    ConfigReader(Problems problems) {
        this.problems = problems;
    }

    OutriggerConfig read(ConfigNode root) {
        ConfigMap top = root.asMap();
        AdminConfig admin = new AdminConfig(top.optional("admin").map(this::admin).orElse(AdminConfig.DEFAULT_ADDRESS));
        List<ConfigNode> clusterNodes = top.list("clusters");
        List<ClusterConfig> clusters = new ArrayList<>();
        Map<String, ConfigNode> clusterNames = new HashMap<>();
        for (ConfigNode n : clusterNodes) {
            ClusterConfig c = cluster(n);
            if (c == null) {
                continue;
            }
            ConfigNode first = clusterNames.putIfAbsent(c.name(), n);
            if (first != null) {
                n.error("duplicate cluster name '" + c.name() + "' (first defined at line " + first.line() + ")");
            }
            clusters.add(c);
        }
        BalancingConfigReader.checkAggregates(clusters, clusterNames);
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, ConfigNode> listenerNames = new HashMap<>();
        Map<HostAndPort, ConfigNode> listenerAddresses = new HashMap<>();
        DynamicResourcesConfig dynamic = DynamicResourcesReader.read(top, clusterNames);
        clustersFromControlPlane = dynamic != null && dynamic.cds();
        boolean fromLds = dynamic != null && dynamic.lds() || top.has("dynamic_resources");
        List<ConfigNode> listenerNodes = (fromLds ? top.optional("listeners") : top.required("listeners"))
                .map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode n : listenerNodes) {
            ListenerConfig l = listener(n, clusterNames);
            if (l == null) {
                continue;
            }
            ConfigNode first = listenerNames.putIfAbsent(l.name(), n);
            if (first != null) {
                n.error("duplicate listener name '" + l.name() + "' (first defined at line " + first.line() + ")");
            }
            if (l.address().port() != 0) {
                first = listenerAddresses.putIfAbsent(l.address(), n);
                if (first != null) {
                    n.error("duplicate listener address " + l.address() + " (first used at line " + first.line() + ")");
                }
            }
            listeners.add(l);
        }
        if (listenerNodes.isEmpty() && top.has("listeners") && !fromLds) {
            top.optional("listeners").get().error("no listeners (expected: at least one)");
        }
        TracingConfig tracing = top.optional("tracing").map(TracingConfigReader::tracing).orElse(null);
        OverloadManagerConfig overload = top.optional("overload_manager").map(StreamConfigReader::overloadManager)
                .orElse(OverloadManagerConfig.DEFAULT);
        top.finish();
        warnings.check(listeners, clusters, clusterNames);
        return new OutriggerConfig(admin, listeners, clusters, tracing, overload, dynamic, problems.sortedWarnings());
    }

    private HostAndPort admin(ConfigNode n) {
        ConfigMap m = n.asMap();
        HostAndPort address = m.optional("address").map(this::address).orElse(AdminConfig.DEFAULT_ADDRESS);
        m.finish();
        return address;
    }

    private HostAndPort address(ConfigNode n) {
        Optional<String> s = n.asString();
        if (s.isEmpty()) {
            return null;
        }
        HostAndPort hp = HostAndPort.parse(s.get().trim());
        if (hp == null) {
            n.error("'" + s.get() + "' (expected: host:port, e.g. 127.0.0.1:10000 or [::1]:10000)");
        }
        return hp;
    }

    private ListenerConfig listener(ConfigNode n, Map<String, ConfigNode> clusters) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("name").orElse(null);
        HostAndPort address = m.required("address").map(this::address).orElse(null);
        List<HttpFilterConfig> filters = new ArrayList<>();
        for (ConfigNode f : m.list("http_filters")) {
            ConfigMap fm = f.asMap();
            Optional<String> fname = fm.requiredString("name");
            ConfigNode config = fm.optional("config").orElse(null);
            fm.finish();
            fname.ifPresent(s -> filters.add(new HttpFilterConfig(s, config, f)));
        }
        List<VirtualHostConfig> vhosts = new ArrayList<>();
        Map<String, ConfigNode> vhostNames = new HashMap<>();
        List<ConfigNode> vhostNodes = m.required("virtual_hosts").map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode v : vhostNodes) {
            VirtualHostConfig vh = virtualHost(v, clusters);
            if (vh == null) {
                continue;
            }
            ConfigNode first = vhostNames.putIfAbsent(vh.name(), v);
            if (first != null) {
                v.error("duplicate virtual host name '" + vh.name() + "' (first defined at line " + first.line() + ")");
            }
            vhosts.add(vh);
        }
        DownstreamTlsConfig tls = m.optional("tls").map(TlsConfigReader::downstream).orElse(null);
        List<AccessLogConfig> accessLogs = new ArrayList<>();
        if (!m.has("access_log")) {
            accessLogs.add(AccessLogConfig.DEFAULT);
        }
        for (ConfigNode a : m.list("access_log")) {
            ConfigMap am = a.asMap();
            String path = am.string("path", AccessLogConfig.STDOUT);
            AccessLogConfig.Format format = am.oneOf("format", ACCESS_LOG_FORMATS, AccessLogConfig.Format.TEXT);
            am.finish();
            accessLogs.add(new AccessLogConfig(path, format));
        }
        boolean echoRequestId = m.bool("always_set_request_id_in_response", false);
        InternalAddressConfig internal = InternalAddressConfig.DEFAULT;
        Optional<ConfigNode> iac = m.optional("internal_address_config");
        if (iac.isPresent()) {
            ConfigMap im = iac.get().asMap();
            List<CidrRange> ranges = new ArrayList<>();
            for (ConfigNode c : im.list("cidr_ranges")) {
                Optional<String> text = c.asString();
                CidrRange r = text.map(t -> CidrRange.parse(t.trim())).orElse(null);
                if (r == null && text.isPresent()) {
                    c.error("'" + text.get() + "' (expected: an IP range such as 10.0.0.0/8 or fd00::/8)");
                } else if (r != null) {
                    ranges.add(r);
                }
            }
            im.finish();
            internal = new InternalAddressConfig(ranges);
        }
        boolean preserveExternalRequestId = m.bool("preserve_external_request_id", false);
        List<UpgradeConfig> upgrades = StreamConfigReader.upgradeConfigs(m);
        Duration streamIdle = m.duration("stream_idle_timeout", ListenerConfig.DEFAULT_STREAM_IDLE_TIMEOUT, Duration.ZERO);
        Duration idle = m.duration("idle_timeout", ListenerConfig.DEFAULT_IDLE_TIMEOUT, Duration.ZERO);
        DownstreamConnectionConfig connection = StreamConfigReader.downstream(m, tls != null);
        if (tls != null && connection.codecType() != DownstreamConnectionConfig.CodecType.AUTO) {
            String alpn = connection.codecType() == DownstreamConnectionConfig.CodecType.HTTP2 ? "h2" : "http/1.1";
            if (!tls.alpnProtocols().equals(List.of(alpn))) {
                m.optional("codec_type").get().error("codec_type " + connection.codecType()
                        + " on a tls listener needs tls.alpn_protocols [" + alpn + "]");
            }
        }
        ListenerConfig.DrainType drainType = m.oneOf("drain_type", DRAIN_TYPES, ListenerConfig.DrainType.DEFAULT);
        Http3Config http3 = m.optional("http3").map(h -> StreamConfigReader.http3(h, tls != null)).orElse(null);
        m.finish();
        if (name == null || address == null) {
            return null;
        }
        return new ListenerConfig(name, address, filters, vhosts, tls, accessLogs, echoRequestId, internal,
                preserveExternalRequestId, upgrades, streamIdle, idle, connection, drainType, http3);
    }

    private VirtualHostConfig virtualHost(ConfigNode n, Map<String, ConfigNode> clusters) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("name").orElse(null);
        List<String> domains = new ArrayList<>();
        List<ConfigNode> domainNodes = m.required("domains").map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode d : domainNodes) {
            d.asString().ifPresent(s -> {
                String lower = s.toLowerCase(Locale.ROOT);
                if (!validDomain(lower)) {
                    d.error("'" + s + "' (expected: a host name, *.suffix, prefix.* or *, optionally with :port)");
                } else {
                    domains.add(lower);
                }
            });
        }
        List<RouteConfig> routes = new ArrayList<>();
        RouteConfigReader reader = new RouteConfigReader(clusters, clustersFromControlPlane);
        for (ConfigNode r : m.list("routes")) {
            RouteConfig rc = reader.route(r);
            if (rc != null) {
                routes.add(rc);
                warnings.routeRead(rc, r);
            }
        }
        java.util.Map<String, ConfigNode> perFilter = RouteConfigReader.perFilterConfig(m);
        m.finish();
        return name == null ? null : new VirtualHostConfig(name, domains, routes, perFilter);
    }

    static boolean validDomain(String d) {
        if (d.isEmpty()) {
            return false;
        }
        if (d.equals("*")) {
            return true;
        }
        int stars = d.length() - d.replace("*", "").length();
        if (stars == 0) {
            return true;
        }
        // one wildcard, either a leading "*" (suffix match) or a trailing "*" (prefix match, including "host:*")
        return stars == 1 && (d.startsWith("*") || d.endsWith("*"));
    }

    private ClusterConfig cluster(ConfigNode n) {
        ConfigMap m = n.asMap();
        String type = m.string("type", "static");
        if (type.equals("aggregate")) {
            return BalancingConfigReader.aggregateCluster(m);
        }
        DnsConfig.Type dnsType = switch (type) {
            case "strict_dns" -> DnsConfig.Type.STRICT_DNS;
            case "logical_dns" -> DnsConfig.Type.LOGICAL_DNS;
            default -> null;
        };
        // eds: the endpoints are a control plane's (xDS; the list may be empty), otherwise as static
        boolean eds = type.equals("eds");
        if (dnsType == null && !type.equals("static") && !eds) {
            m.optional("type").get().error("'" + type + "' (expected: one of static, strict_dns, logical_dns, aggregate, eds)");
        }
        DnsConfig dns = dnsType == null ? null : dns(m, dnsType);
        if (dnsType == null) {
            for (String key : List.of("dns_refresh_rate", "respect_dns_ttl", "dns_resolvers", "dns_lookup_family")) {
                m.optional(key).ifPresent(k -> k.error(key + " is for type strict_dns or logical_dns (this cluster is static)"));
            }
        }
        String name = m.requiredString("name").orElse(null);
        List<EndpointConfig> endpoints = new ArrayList<>();
        List<ConfigNode> endpointNodes = (eds ? m.optional("endpoints") : m.required("endpoints"))
                .map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode e : endpointNodes) {
            EndpointConfig ep = endpoint(e);
            if (ep != null) {
                endpoints.add(ep);
            }
        }
        if (endpointNodes.isEmpty() && m.has("endpoints") && !eds) {
            m.optional("endpoints").get().error("no endpoints (expected: at least one host:port)");
        }
        ClusterConfig.LbPolicy lb = m.oneOf("lb_policy", LB_POLICIES, ClusterConfig.LbPolicy.ROUND_ROBIN);
        RingHashConfig ring = m.optional("ring_hash").map(this::ringHash).orElse(RingHashConfig.DEFAULT);
        Duration connectTimeout = m.duration("connect_timeout", ClusterConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1));
        ConnectionPoolConfig pool = m.optional("connection_pool").map(this::pool).orElse(ConnectionPoolConfig.DEFAULT);
        UpstreamTlsConfig tls = m.optional("tls").map(TlsConfigReader::upstream).orElse(null);
        HealthCheckConfig hc = m.optional("health_check").map(h -> ResilienceConfigReader.healthCheck(h, name)).orElse(null);
        OutlierDetectionConfig od = m.optional("outlier_detection").map(ResilienceConfigReader::outlierDetection).orElse(null);
        CircuitBreakersConfig cb = m.optional("circuit_breakers").map(ResilienceConfigReader::circuitBreakers)
                .orElse(CircuitBreakersConfig.DEFAULT);
        Http2ProtocolOptions h2 = m.optional("http2_protocol_options").map(StreamConfigReader::http2Options).orElse(null);
        ClusterConfig.ProtocolSelection selection = m.oneOf("protocol_selection", PROTOCOL_SELECTIONS,
                ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL);
        StreamConfigReader.checkAlpn(m, h2, tls);
        LoadBalancingConfig balancing = BalancingConfigReader.loadBalancing(m, lb);
        m.finish();
        return name == null ? null : new ClusterConfig(name, endpoints, lb, ring, connectTimeout, pool, tls, hc, od, cb,
                h2, selection, balancing, List.of(), dns);
    }

    private static final Map<String, DnsConfig.LookupFamily> LOOKUP_FAMILIES = new LinkedHashMap<>();

    static {
        for (DnsConfig.LookupFamily f : DnsConfig.LookupFamily.values()) {
            LOOKUP_FAMILIES.put(f.name().toLowerCase(java.util.Locale.ROOT), f);
        }
    }

    private DnsConfig dns(ConfigMap m, DnsConfig.Type type) {
        Duration refresh = m.duration("dns_refresh_rate", DnsConfig.DEFAULT_REFRESH_RATE, Duration.ofMillis(1));
        boolean ttl = m.bool("respect_dns_ttl", false);
        List<HostAndPort> resolvers = new ArrayList<>();
        for (ConfigNode r : m.list("dns_resolvers")) {
            Optional<String> text = r.asString();
            if (text.isEmpty()) {
                continue;
            }
            HostAndPort hp = HostAndPort.parse(text.get());
            if (hp == null) {
                hp = HostAndPort.parse(text.get() + ":53"); // no port: DNS's
            }
            if (hp == null || !isIpLiteral(hp.host())) {
                r.error("'" + text.get() + "' (expected: a name server's IP address, optionally with a port: 127.0.0.1:5353, [::1]:53)");
            } else {
                resolvers.add(hp);
            }
        }
        DnsConfig.LookupFamily family = m.oneOf("dns_lookup_family", LOOKUP_FAMILIES, DnsConfig.LookupFamily.AUTO);
        return new DnsConfig(type, refresh, ttl, resolvers, family);
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private EndpointConfig endpoint(ConfigNode n) {
        if (n.isMap()) {
            ConfigMap m = n.asMap();
            HostAndPort address = m.required("address").map(this::address).orElse(null);
            int weight = (int) m.integer("weight", 1, 1, 128);
            int priority = (int) m.integer("priority", 0, 0, EndpointConfig.MAX_PRIORITY);
            m.finish();
            return address == null ? null : endpointWithPort(n, address, weight, priority);
        }
        HostAndPort address = address(n);
        return address == null ? null : endpointWithPort(n, address, 1, 0);
    }

    private static EndpointConfig endpointWithPort(ConfigNode n, HostAndPort address, int weight, int priority) {
        if (address.port() == 0) {
            n.error("'" + address + "' (expected: a port between 1 and 65535)");
            return null;
        }
        return new EndpointConfig(address, weight, priority);
    }

    private RingHashConfig ringHash(ConfigNode n) {
        ConfigMap m = n.asMap();
        long limit = RingHashConfig.LIMIT_RING_SIZE;
        long min = m.integer("minimum_ring_size", RingHashConfig.DEFAULT_MINIMUM_RING_SIZE, 1, limit);
        long max = m.integer("maximum_ring_size", Math.max(min, RingHashConfig.DEFAULT_MAXIMUM_RING_SIZE), 1, limit);
        long perHost = m.integer("hashes_per_host", RingHashConfig.DEFAULT_HASHES_PER_HOST, 1, limit);
        m.finish();
        if (max < min) {
            n.error("maximum_ring_size " + max + " is below minimum_ring_size " + min);
            return RingHashConfig.DEFAULT;
        }
        return new RingHashConfig(min, max, perHost);
    }

    private ConnectionPoolConfig pool(ConfigNode n) {
        ConfigMap m = n.asMap();
        ConnectionPoolConfig d = ConnectionPoolConfig.DEFAULT;
        int maxConnections = (int) m.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE);
        int maxPending = (int) m.integer("max_pending_requests", d.maxPendingRequests(), 0, Integer.MAX_VALUE);
        Duration idle = m.duration("idle_timeout", null, Duration.ZERO); // null: each protocol's default
        long maxRequests = m.integer("max_requests_per_connection", d.maxRequestsPerConnection(), 0, Long.MAX_VALUE);
        m.finish();
        return new ConnectionPoolConfig(maxConnections, maxPending, idle, maxRequests);
    }
}
