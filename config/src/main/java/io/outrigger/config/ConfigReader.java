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
        ACCESS_LOG_FORMATS.put("text", AccessLogConfig.Format.TEXT);
        ACCESS_LOG_FORMATS.put("json", AccessLogConfig.Format.JSON);
    }

    private final Problems problems;
    private final ConfigWarnings warnings = new ConfigWarnings();

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
        checkAggregates(clusters, clusterNames);
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, ConfigNode> listenerNames = new HashMap<>();
        Map<HostAndPort, ConfigNode> listenerAddresses = new HashMap<>();
        List<ConfigNode> listenerNodes = top.required("listeners").map(ConfigNode::asList).orElse(List.of());
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
        if (listenerNodes.isEmpty() && top.has("listeners")) {
            top.optional("listeners").get().error("no listeners (expected: at least one)");
        }
        TracingConfig tracing = top.optional("tracing").map(TracingConfigReader::tracing).orElse(null);
        OverloadManagerConfig overload = top.optional("overload_manager").map(StreamConfigReader::overloadManager)
                .orElse(OverloadManagerConfig.DEFAULT);
        top.finish();
        warnings.check(listeners, clusters, clusterNames);
        return new OutriggerConfig(admin, listeners, clusters, tracing, overload, problems.sortedWarnings());
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
        m.finish();
        if (name == null || address == null) {
            return null;
        }
        return new ListenerConfig(name, address, filters, vhosts, tls, accessLogs, echoRequestId, internal,
                preserveExternalRequestId, upgrades, streamIdle, idle, connection);
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
        RouteConfigReader reader = new RouteConfigReader(clusters);
        for (ConfigNode r : m.list("routes")) {
            RouteConfig rc = reader.route(r);
            if (rc != null) {
                routes.add(rc);
                warnings.routeRead(rc, r);
            }
        }
        m.finish();
        return name == null ? null : new VirtualHostConfig(name, domains, routes);
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
            return aggregateCluster(m);
        }
        if (!type.equals("static")) {
            m.optional("type").get().error("'" + type + "' (expected: static or aggregate)");
        }
        String name = m.requiredString("name").orElse(null);
        List<EndpointConfig> endpoints = new ArrayList<>();
        List<ConfigNode> endpointNodes = m.required("endpoints").map(ConfigNode::asList).orElse(List.of());
        for (ConfigNode e : endpointNodes) {
            EndpointConfig ep = endpoint(e);
            if (ep != null) {
                endpoints.add(ep);
            }
        }
        if (endpointNodes.isEmpty() && m.has("endpoints")) {
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
        LoadBalancingConfig balancing = loadBalancing(m, lb);
        m.finish();
        return name == null ? null : new ClusterConfig(name, endpoints, lb, ring, connectTimeout, pool, tls, hc, od, cb,
                h2, selection, balancing);
    }

    /**
     * {@code type: aggregate, clusters: [primary, secondary]}: no endpoints or upstream settings of its own (its
     * clusters have them); names are checked against the other clusters by {@link #checkAggregates}.
     */
    private ClusterConfig aggregateCluster(ConfigMap m) {
        String name = m.requiredString("name").orElse(null);
        List<String> children = new ArrayList<>();
        for (ConfigNode c : m.required("clusters").map(ConfigNode::asList).orElse(List.of())) {
            c.asString().ifPresent(children::add);
        }
        for (String key : List.of("endpoints", "lb_policy", "health_check", "outlier_detection", "tls",
                "http2_protocol_options", "ring_hash", "hash_balance_factor")) {
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
                new LoadBalancingConfig(0, 2, 1.0, null, overprovisioning), children);
    }

    /** An aggregate cluster's {@code clusters} must name clusters of their own endpoints, other than itself. */
    private static void checkAggregates(List<ClusterConfig> clusters, Map<String, ConfigNode> nodes) {
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
    private static LoadBalancingConfig loadBalancing(ConfigMap m, ClusterConfig.LbPolicy lb) {
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
            slowStart = lm.optional("slow_start_config").map(ConfigReader::slowStart).orElse(null);
            lm.finish();
            if (lb != ClusterConfig.LbPolicy.LEAST_REQUEST) {
                lr.get().error("least_request_lb_config needs lb_policy least_request");
            }
        }
        var rr = m.optional("round_robin_lb_config");
        if (rr.isPresent()) {
            ConfigMap rm = rr.get().asMap();
            slowStart = rm.optional("slow_start_config").map(ConfigReader::slowStart).orElse(slowStart);
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
        Duration idle = m.duration("idle_timeout", d.idleTimeout(), Duration.ZERO);
        long maxRequests = m.integer("max_requests_per_connection", d.maxRequestsPerConnection(), 0, Long.MAX_VALUE);
        m.finish();
        return new ConnectionPoolConfig(maxConnections, maxPending, idle, maxRequests);
    }
}
