package io.outrigger.config;

import com.google.re2j.Pattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a virtual host's {@code routes}: the match ({@link RouteMatchReader}) and the one action —
 * {@code route} (forward, with rewrites, hash and retry policies), {@code redirect} or {@code direct_response}.
 * Errors are recorded on the nodes, with their line and column.
 */
final class RouteConfigReader {
    private static final List<String> ACTION_KEYS = List.of("route", "redirect", "direct_response");
    private static final Map<String, Integer> REDIRECT_CODES = new LinkedHashMap<>();

    static {
        REDIRECT_CODES.put("MOVED_PERMANENTLY", 301);
        REDIRECT_CODES.put("FOUND", 302);
        REDIRECT_CODES.put("SEE_OTHER", 303);
        REDIRECT_CODES.put("TEMPORARY_REDIRECT", 307);
        REDIRECT_CODES.put("PERMANENT_REDIRECT", 308);
    }

    private final Map<String, ConfigNode> clusters;
    private final boolean clustersFromControlPlane;

    /** @param clusters the config's clusters by name, for checking route targets */
    RouteConfigReader(Map<String, ConfigNode> clusters) {
        this(clusters, false);
    }

    /**
     * @param clusters                 the config's clusters by name, for checking route targets
     * @param clustersFromControlPlane clusters also come over CDS: a name not in the file is one the control plane will
     *                                 send (a warning, not an error; until it arrives the route answers 503, as Envoy's)
     */
    RouteConfigReader(Map<String, ConfigNode> clusters, boolean clustersFromControlPlane) {
        this.clusters = clusters;
        this.clustersFromControlPlane = clustersFromControlPlane;
    }

    RouteConfig route(ConfigNode n) {
        ConfigMap m = n.asMap();
        String name = m.string("name").orElse(null);
        RouteMatch match = m.required("match").map(RouteMatchReader::match).orElse(null);
        List<String> present = new ArrayList<>();
        for (String key : ACTION_KEYS) {
            if (m.has(key)) {
                present.add(key);
            }
        }
        RouteConfig.Action action = null;
        if (present.size() != 1) {
            n.error((present.isEmpty() ? "missing action" : "more than one action " + present)
                    + " (expected: one of route, redirect, direct_response)");
        } else {
            ConfigNode a = m.optional(present.get(0)).orElseThrow();
            action = switch (present.get(0)) {
                case "route" -> action(a, match);
                case "redirect" -> redirect(a, match);
                default -> directResponse(a);
            };
        }
        java.util.Map<String, ConfigNode> perFilter = perFilterConfig(m);
        m.finish();
        return match == null || action == null ? null : new RouteConfig(name, match, action, perFilter);
    }

    /**
     * {@code typed_per_filter_config} (Envoy's v3 name) or {@code per_filter_config}: filter name to its node, checked
     * later by the filters themselves (they know their keys).
     */
    static java.util.Map<String, ConfigNode> perFilterConfig(ConfigMap m) {
        java.util.Map<String, ConfigNode> out = new java.util.LinkedHashMap<>();
        if (m.has("typed_per_filter_config") && m.has("per_filter_config")) {
            m.optional("per_filter_config").get().error("give either typed_per_filter_config or per_filter_config, not both");
        }
        java.util.Optional<ConfigNode> node = m.optional("typed_per_filter_config").or(() -> m.optional("per_filter_config"));
        if (node.isEmpty()) {
            return out;
        }
        ConfigMap filters = node.get().asMap();
        for (String name : java.util.List.copyOf(filters.keys())) {
            filters.optional(name).ifPresent(v -> out.put(name, v));
        }
        filters.finish();
        return out;
    }

    private RouteAction action(ConfigNode n, RouteMatch match) {
        ConfigMap m = n.asMap();
        Optional<ConfigNode> clusterNode = m.optional("cluster");
        String cluster = clusterNode.map(this::clusterName).orElse(null);
        List<WeightedCluster> weighted = m.optional("weighted_clusters").map(this::weightedClusters).orElse(List.of());
        boolean targetOk = cluster != null || !weighted.isEmpty();
        if (clusterNode.isPresent() == m.has("weighted_clusters")) {
            n.error(clusterNode.isPresent() ? "both cluster and weighted_clusters (expected: one of them)"
                    : "missing cluster (expected: cluster or weighted_clusters)");
            targetOk = false;
        }
        Duration timeout = m.duration("timeout", RouteAction.DEFAULT_TIMEOUT, Duration.ZERO);
        String prefixRewrite = m.string("prefix_rewrite").orElse(null);
        if (prefixRewrite != null && match != null && match.pathKind() != RouteMatch.PathKind.PREFIX
                && match.pathKind() != RouteMatch.PathKind.PATH) {
            m.optional("prefix_rewrite").get().error("only allowed with a prefix or path match");
        }
        RegexRewrite regexRewrite = m.optional("regex_rewrite").map(RouteConfigReader::regexRewrite).orElse(null);
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
        boolean hedge = false;
        var hedgeNode = m.optional("hedge_policy");
        if (hedgeNode.isPresent()) {
            ConfigMap hm = hedgeNode.get().asMap();
            hedge = hm.bool("hedge_on_per_try_timeout", false);
            hm.integer("initial_requests", 1, 1, 1); // Envoy's; only 1 (hedging starts on a per-try timeout)
            hm.finish();
            if (hedge && (retry == null || retry.perTryTimeout().isZero())) {
                hedgeNode.get().error("hedge_on_per_try_timeout needs a retry_policy with a per_try_timeout");
            }
        }
        List<RequestMirrorPolicy> mirrors = new ArrayList<>();
        for (ConfigNode mp : m.list("request_mirror_policies")) {
            RequestMirrorPolicy p = mirrorPolicy(mp);
            if (p != null) {
                mirrors.add(p);
            }
        }
        m.finish();
        return !targetOk ? null : new RouteAction(cluster, weighted, timeout, prefixRewrite, regexRewrite, hostRewrite,
                hashPolicy, retry,
                upgrades, idleTimeout, sseKeepalive, maxDuration.max(), maxDuration.grpcTimeoutHeaderMax(), mirrors,
                hedge);
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
            String[] sameSite = new String[1];
            boolean[] secure = new boolean[1];
            for (ConfigNode a : cm.list("attributes")) {
                cookieAttribute(a, sameSite, secure);
            }
            cm.finish();
            if ("None".equals(sameSite[0]) && !secure[0]) {
                c.error("SameSite=None needs the Secure attribute (browsers drop the cookie otherwise)");
            }
            if (ttl == null && (path != null || sameSite[0] != null || secure[0])) {
                c.warn("path and attributes apply to a generated cookie, and a cookie is generated only with a ttl");
            }
            name.ifPresent(s -> found.add(new HashPolicy.Cookie(s, ttl, path, sameSite[0], secure[0], terminal)));
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

    /** One of a hash-policy cookie's {@code attributes}: {@code { name: SameSite, value: Strict|Lax|None }} or {@code { name: Secure }}. */
    private static void cookieAttribute(ConfigNode n, String[] sameSite, boolean[] secure) {
        ConfigMap m = n.asMap();
        Optional<String> name = m.requiredString("name");
        Optional<String> value = m.string("value");
        m.finish();
        if (name.isEmpty()) {
            return;
        }
        switch (name.get().toLowerCase(Locale.ROOT)) {
            case "samesite" -> {
                String v = value.map(s -> s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT))
                        .orElse("");
                if (v.equals("Strict") || v.equals("Lax") || v.equals("None")) {
                    sameSite[0] = v;
                } else {
                    n.error("SameSite '" + value.orElse("") + "' (expected: Strict, Lax or None)");
                }
            }
            case "secure" -> secure[0] = true;
            case "httponly" -> { } // always set
            default -> n.error("'" + name.get() + "' (expected: SameSite or Secure; HttpOnly is always set)");
        }
    }

    private static final Map<String, Integer> DENOMINATORS = new LinkedHashMap<>();

    static {
        DENOMINATORS.put("HUNDRED", 100);
        DENOMINATORS.put("TEN_THOUSAND", 10_000);
        DENOMINATORS.put("MILLION", 1_000_000);
    }

    /** {@code { cluster, runtime_fraction: { default_value: { numerator, denominator } }, disable_shadow_host_suffix_append }}. */
    private RequestMirrorPolicy mirrorPolicy(ConfigNode n) {
        ConfigMap m = n.asMap();
        String cluster = m.required("cluster").map(this::clusterName).orElse(null);
        int perMillion = RequestMirrorPolicy.MILLION;
        var fraction = m.optional("runtime_fraction");
        if (fraction.isPresent()) {
            ConfigMap fm = fraction.get().asMap();
            fm.string("runtime_key"); // Envoy's runtime override: accepted, there is no runtime layer
            ConfigMap dv = fm.required("default_value").map(ConfigNode::asMap).orElse(null);
            fm.finish();
            if (dv != null) {
                long numerator = dv.integer("numerator", 0, 0, 1_000_000);
                int denominator = dv.oneOf("denominator", DENOMINATORS, 100);
                dv.finish();
                if (numerator > denominator) {
                    dv.optional("numerator").get().error(numerator + " is above the denominator " + denominator);
                } else {
                    perMillion = (int) (numerator * (1_000_000 / denominator));
                }
            }
        }
        boolean keepHost = m.bool("disable_shadow_host_suffix_append", false);
        m.finish();
        return cluster == null ? null : new RequestMirrorPolicy(cluster, perMillion, keepHost);
    }

    private String clusterName(ConfigNode n) {
        String cluster = n.asString().orElse(null);
        if (cluster != null && !clusters.containsKey(cluster) && clustersFromControlPlane) {
            n.warn("cluster '" + cluster + "' is not in this file: the control plane must send it (CDS); until then "
                    + "requests here get 503");
            return cluster;
        }
        if (cluster != null && !clusters.containsKey(cluster)) {
            n.error("'" + cluster + "' (expected: the name of a cluster; known: "
                    + String.join(", ", clusters.keySet().stream().sorted().toList()) + ")");
            return null;
        }
        return cluster;
    }

    /** {@code weighted_clusters: { clusters: [ { name, weight } ] }}; empty after an error. */
    private List<WeightedCluster> weightedClusters(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<ConfigNode> entries = m.required("clusters").map(ConfigNode::asList).orElse(List.of());
        m.finish();
        List<WeightedCluster> out = new ArrayList<>();
        boolean ok = true;
        long total = 0;
        for (ConfigNode e : entries) {
            ConfigMap em = e.asMap();
            String name = em.required("name").map(this::clusterName).orElse(null);
            int weight = (int) em.integer("weight", 1, 0, 1_000_000);
            em.finish();
            if (name == null) {
                ok = false;
            } else {
                out.add(new WeightedCluster(name, weight));
                total += weight;
            }
        }
        if (ok && out.isEmpty()) {
            n.error("no clusters (expected: at least one { name, weight })");
        } else if (ok && total == 0) {
            n.error("every weight is 0 (expected: a positive total)");
            ok = false;
        }
        return ok ? out : List.of();
    }

    /** {@code regex_rewrite: { pattern: { regex }, substitution }}. */
    private static RegexRewrite regexRewrite(ConfigNode n) {
        ConfigMap m = n.asMap();
        ConfigNode pn = m.required("pattern").map(RouteMatchReader::regexNode).orElse(null);
        String src = pn == null ? null : pn.asString().orElse(null);
        Pattern p = pn == null ? null : RouteMatchReader.compile(pn, src);
        Optional<String> substitution = m.requiredString("substitution");
        m.finish();
        if (p != null && substitution.isPresent()) {
            int max = RegexRewrite.highestGroupReference(substitution.get());
            if (max > p.groupCount()) {
                m.optional("substitution").get().error("substitution '" + substitution.get() + "' refers to group " + max
                        + "; the pattern has " + p.groupCount());
                return null;
            }
        }
        return p == null || substitution.isEmpty() ? null : new RegexRewrite(p, substitution.get());
    }

    private RedirectAction redirect(ConfigNode n, RouteMatch match) {
        ConfigMap m = n.asMap();
        boolean https = m.bool("https_redirect", false);
        String scheme = m.string("scheme_redirect").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        if (https && scheme != null) {
            n.error("both https_redirect and scheme_redirect (expected: one of them)");
        }
        if (scheme != null && !scheme.matches("[a-z][a-z0-9+.-]*")) {
            m.optional("scheme_redirect").get().error("'" + scheme + "' (expected: a URI scheme such as https)");
        }
        String host = m.string("host_redirect").orElse(null);
        int port = (int) m.integer("port_redirect", 0, 1, 65_535);
        String path = m.string("path_redirect").orElse(null);
        if (path != null && !path.startsWith("/")) {
            m.optional("path_redirect").get().error("'" + path + "' (expected: a path starting with '/')");
        }
        String prefix = m.string("prefix_rewrite").orElse(null);
        RegexRewrite regex = m.optional("regex_rewrite").map(RouteConfigReader::regexRewrite).orElse(null);
        int rewrites = (path != null ? 1 : 0) + (prefix != null ? 1 : 0) + (m.has("regex_rewrite") ? 1 : 0);
        if (rewrites > 1) {
            n.error("more than one of path_redirect, prefix_rewrite, regex_rewrite (expected: at most one)");
        }
        if (prefix != null && match != null && match.pathKind() != RouteMatch.PathKind.PREFIX
                && match.pathKind() != RouteMatch.PathKind.PATH) {
            m.optional("prefix_rewrite").get().error("only allowed with a prefix or path match");
        }
        int code = m.oneOf("response_code", REDIRECT_CODES, 301);
        boolean stripQuery = m.bool("strip_query", false);
        m.finish();
        return new RedirectAction(https ? "https" : scheme, host, port, path, prefix, regex, code, stripQuery);
    }

    private static DirectResponseAction directResponse(ConfigNode n) {
        ConfigMap m = n.asMap();
        int status = (int) m.integer("status", 200, 200, 599);
        if (!m.has("status")) {
            m.required("status");
        }
        String body = null;
        Optional<ConfigNode> bodyNode = m.optional("body");
        if (bodyNode.isPresent()) {
            ConfigMap bm = bodyNode.get().asMap();
            Optional<String> inline = bm.string("inline_string");
            Optional<String> file = bm.string("filename");
            bm.finish();
            if (inline.isPresent() == file.isPresent()) {
                bodyNode.get().error("expected exactly one of inline_string, filename");
            } else if (inline.isPresent()) {
                body = inline.get();
            } else {
                body = readBody(bm.optional("filename").orElseThrow(), file.get());
            }
            if (body != null && body.getBytes(StandardCharsets.UTF_8).length > DirectResponseAction.MAX_BODY_BYTES) {
                bodyNode.get().error("body of " + body.getBytes(StandardCharsets.UTF_8).length + " bytes (expected: at most "
                        + DirectResponseAction.MAX_BODY_BYTES + ", Envoy's limit)");
                body = null;
            }
        }
        m.finish();
        return new DirectResponseAction(status, body);
    }

    private static String readBody(ConfigNode n, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            n.error("'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            return null;
        }
    }

}
