package io.outrigger.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
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
        return new OutriggerConfig(admin, listeners, clusters, tracing, overload);
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
        for (ConfigNode r : m.list("routes")) {
            RouteConfig rc = route(r, clusters);
            if (rc != null) {
                routes.add(rc);
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

    private RouteConfig route(ConfigNode n, Map<String, ConfigNode> clusters) {
        ConfigMap m = n.asMap();
        RouteMatch match = m.required("match").map(this::match).orElse(null);
        RouteAction action = m.required("route").map(a -> action(a, clusters, match)).orElse(null);
        m.finish();
        return match == null || action == null ? null : new RouteConfig(match, action);
    }

    private RouteMatch match(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<RouteMatch.PathKind> kinds = new ArrayList<>();
        String value = null;
        Pattern regex = null;
        Optional<String> prefix = m.string("prefix");
        Optional<String> path = m.string("path");
        if (prefix.isPresent()) {
            kinds.add(RouteMatch.PathKind.PREFIX);
            value = prefix.get();
        }
        if (path.isPresent()) {
            kinds.add(RouteMatch.PathKind.PATH);
            value = path.get();
        }
        Optional<ConfigNode> re = m.optional("safe_regex");
        if (re.isPresent()) {
            kinds.add(RouteMatch.PathKind.SAFE_REGEX);
            ConfigNode rn = regexNode(re.get());
            value = rn == null ? null : rn.asString().orElse(null);
            regex = rn == null ? null : compile(rn, value);
        }
        Optional<ConfigNode> connect = m.optional("connect_matcher");
        if (connect.isPresent()) {
            kinds.add(RouteMatch.PathKind.CONNECT);
            value = "";
            connect.get().asMap().finish(); // {}: nothing to configure
        }
        List<HeaderMatcher> headers = new ArrayList<>();
        for (ConfigNode h : m.list("headers")) {
            HeaderMatcher hm = headerMatcher(h);
            if (hm != null) {
                headers.add(hm);
            }
        }
        boolean caseSensitive = m.bool("case_sensitive", true);
        m.finish();
        if (kinds.size() != 1) {
            n.error(kinds.isEmpty() ? "missing path condition (expected: one of prefix, path, safe_regex, connect_matcher)"
                    : "more than one path condition (expected: one of prefix, path, safe_regex, connect_matcher)");
            return null;
        }
        RouteMatch.PathKind kind = kinds.get(0);
        if (value == null || kind == RouteMatch.PathKind.SAFE_REGEX && regex == null) {
            return null;
        }
        if ((kind == RouteMatch.PathKind.PREFIX || kind == RouteMatch.PathKind.PATH) && !value.startsWith("/")) {
            m.optional(kind == RouteMatch.PathKind.PREFIX ? "prefix" : "path").ifPresent(
                    v -> v.error("'" + v.asString().orElse("") + "' (expected: a path starting with '/')"));
            return null;
        }
        if (!caseSensitive && (kind == RouteMatch.PathKind.PREFIX || kind == RouteMatch.PathKind.PATH)) {
            value = value.toLowerCase(Locale.ROOT);
        }
        return new RouteMatch(kind, value, regex, headers, caseSensitive);
    }

    /** Accepts Envoy's {@code safe_regex: { regex: "..." }} and the shorter {@code safe_regex: "..."}; returns the string's node. */
    private static ConfigNode regexNode(ConfigNode n) {
        if (n.isMap()) {
            ConfigMap m = n.asMap();
            ConfigNode r = m.required("regex").orElse(null);
            m.finish();
            return r;
        }
        return n;
    }

    private static Pattern compile(ConfigNode n, String source) {
        if (source == null) {
            return null;
        }
        try {
            return Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            n.error("'" + source + "' (expected: an RE2 regular expression: " + e.getDescription() + ")");
            return null;
        }
    }

    private HeaderMatcher headerMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("name").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        boolean invert = m.bool("invert_match", false);
        List<HeaderMatcher> found = new ArrayList<>();
        for (HeaderMatcher.Kind kind : HeaderMatcher.Kind.values()) {
            String key = kind.name().toLowerCase(Locale.ROOT);
            Optional<ConfigNode> v = m.optional(key);
            if (v.isEmpty()) {
                continue;
            }
            if (kind == HeaderMatcher.Kind.PRESENT) {
                boolean present = v.get().asBoolean().orElse(true);
                found.add(new HeaderMatcher(name, kind, Boolean.toString(present), null, invert));
            } else if (kind == HeaderMatcher.Kind.SAFE_REGEX) {
                ConfigNode rn = regexNode(v.get());
                String src = rn == null ? null : rn.asString().orElse(null);
                Pattern p = rn == null ? null : compile(rn, src);
                if (p != null) {
                    found.add(new HeaderMatcher(name, kind, src, p, invert));
                }
            } else {
                v.get().asString().ifPresent(s -> found.add(new HeaderMatcher(name, kind, s, null, invert)));
            }
        }
        m.finish();
        if (found.size() > 1) {
            n.error("more than one header condition (expected: one of exact, prefix, suffix, contains, safe_regex, present)");
            return null;
        }
        if (name == null) {
            return null;
        }
        // Envoy: a matcher with no condition checks that the header is present.
        return found.isEmpty() ? new HeaderMatcher(name, HeaderMatcher.Kind.PRESENT, "true", null, invert) : found.get(0);
    }

    private RouteAction action(ConfigNode n, Map<String, ConfigNode> clusters, RouteMatch match) {
        ConfigMap m = n.asMap();
        Optional<ConfigNode> clusterNode = m.required("cluster");
        String cluster = clusterNode.flatMap(ConfigNode::asString).orElse(null);
        if (cluster != null && !clusters.containsKey(cluster)) {
            clusterNode.get().error("'" + cluster + "' (expected: the name of a cluster; known: "
                    + String.join(", ", clusters.keySet().stream().sorted().toList()) + ")");
        }
        Duration timeout = m.duration("timeout", RouteAction.DEFAULT_TIMEOUT, Duration.ZERO);
        String prefixRewrite = m.string("prefix_rewrite").orElse(null);
        if (prefixRewrite != null && match != null && match.pathKind() != RouteMatch.PathKind.PREFIX
                && match.pathKind() != RouteMatch.PathKind.PATH) {
            m.optional("prefix_rewrite").get().error("only allowed with a prefix or path match");
        }
        String hostRewrite = m.string("host_rewrite_literal").orElse(null);
        List<HashPolicy> hashPolicy = new ArrayList<>();
        for (ConfigNode h : m.list("hash_policy")) {
            HashPolicy p = hashPolicy(h);
            if (p != null) {
                hashPolicy.add(p);
            }
        }
        RetryPolicy retry = m.optional("retry_policy").map(ResilienceConfigReader::retryPolicy).orElse(null);
        List<UpgradeConfig> upgrades = StreamConfigReader.upgradeConfigs(m);
        Duration idleTimeout = m.duration("idle_timeout", null, Duration.ZERO);
        Duration sseKeepalive = m.duration("sse_keepalive_interval", null, Duration.ofMillis(100));
        StreamConfigReader.MaxStreamDuration maxDuration = m.optional("max_stream_duration")
                .map(StreamConfigReader::maxStreamDuration).orElse(StreamConfigReader.MaxStreamDuration.NONE);
        m.finish();
        return cluster == null ? null : new RouteAction(cluster, timeout, prefixRewrite, hostRewrite, hashPolicy, retry,
                upgrades, idleTimeout, sseKeepalive, maxDuration.max(), maxDuration.grpcTimeoutHeaderMax());
    }

    private HashPolicy hashPolicy(ConfigNode n) {
        ConfigMap m = n.asMap();
        boolean terminal = m.bool("terminal", false);
        List<HashPolicy> found = new ArrayList<>();
        m.optional("header").ifPresent(h -> {
            ConfigMap hm = h.asMap();
            hm.requiredString("header_name").ifPresent(s -> found.add(new HashPolicy.Header(s.toLowerCase(Locale.ROOT), terminal)));
            hm.finish();
        });
        m.optional("cookie").ifPresent(c -> {
            ConfigMap cm = c.asMap();
            Optional<String> name = cm.requiredString("name");
            Duration ttl = cm.duration("ttl", null, Duration.ZERO);
            String path = cm.string("path").orElse(null);
            cm.finish();
            name.ifPresent(s -> found.add(new HashPolicy.Cookie(s, ttl, path, terminal)));
        });
        m.optional("connection_properties").ifPresent(c -> {
            ConfigMap cm = c.asMap();
            if (cm.bool("source_ip", false)) {
                found.add(new HashPolicy.SourceIp(terminal));
            }
            cm.finish();
        });
        m.optional("source_ip").ifPresent(c -> {
            if (c.asBoolean().orElse(false)) {
                found.add(new HashPolicy.SourceIp(terminal));
            }
        });
        m.optional("query_parameter").ifPresent(q -> {
            ConfigMap qm = q.asMap();
            qm.requiredString("name").ifPresent(s -> found.add(new HashPolicy.QueryParameter(s, terminal)));
            qm.finish();
        });
        m.finish();
        if (found.size() != 1) {
            n.error(found.isEmpty() ? "no hash source (expected: one of header, cookie, connection_properties, source_ip, query_parameter)"
                    : "more than one hash source in one entry (expected: one per list entry)");
            return null;
        }
        return found.get(0);
    }

    private ClusterConfig cluster(ConfigNode n) {
        ConfigMap m = n.asMap();
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

    /** A cluster's {@code hash_balance_factor} and {@code least_request_lb_config}, checked against its policy. */
    private static LoadBalancingConfig loadBalancing(ConfigMap m, ClusterConfig.LbPolicy lb) {
        LoadBalancingConfig d = LoadBalancingConfig.DEFAULT;
        int factor = (int) m.integer("hash_balance_factor", 0, 100, 100_000);
        if (factor > 0 && lb != ClusterConfig.LbPolicy.RING_HASH && lb != ClusterConfig.LbPolicy.MAGLEV) {
            m.optional("hash_balance_factor").get().error("hash_balance_factor needs lb_policy ring_hash or maglev");
        }
        int choices = d.choiceCount();
        double bias = d.activeRequestBias();
        var lr = m.optional("least_request_lb_config");
        if (lr.isPresent()) {
            ConfigMap lm = lr.get().asMap();
            choices = (int) lm.integer("choice_count", choices, 2, 100);
            bias = lm.number("active_request_bias", bias, 0, 100);
            lm.finish();
            if (lb != ClusterConfig.LbPolicy.LEAST_REQUEST) {
                lr.get().error("least_request_lb_config needs lb_policy least_request");
            }
        }
        return new LoadBalancingConfig(factor, choices, bias);
    }

    private EndpointConfig endpoint(ConfigNode n) {
        if (n.isMap()) {
            ConfigMap m = n.asMap();
            HostAndPort address = m.required("address").map(this::address).orElse(null);
            int weight = (int) m.integer("weight", 1, 1, 128);
            m.finish();
            return address == null ? null : endpointWithPort(n, address, weight);
        }
        HostAndPort address = address(n);
        return address == null ? null : endpointWithPort(n, address, 1);
    }

    private static EndpointConfig endpointWithPort(ConfigNode n, HostAndPort address, int weight) {
        if (address.port() == 0) {
            n.error("'" + address + "' (expected: a port between 1 and 65535)");
            return null;
        }
        return new EndpointConfig(address, weight);
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
