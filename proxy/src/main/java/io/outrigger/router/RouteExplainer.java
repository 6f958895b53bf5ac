package io.outrigger.router;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.DirectResponseAction;
import io.outrigger.config.HeaderMatcher;
import io.outrigger.config.QueryParameterMatcher;
import io.outrigger.config.RedirectAction;
import io.outrigger.config.RetryPolicy;
import io.outrigger.config.RouteAction;
import io.outrigger.config.WeightedCluster;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.lb.LoadBalancer;
import io.outrigger.upstream.lb.LoadBalancerContext;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Explains one routing decision with the same code the router runs ({@link RouteTable#matchingDomains},
 * {@link RouteEntry#firstFailure}, {@link HashKey}, the cluster's live load balancer), so the explanation cannot
 * drift from what the proxy does. Used offline by {@code outrigger route} and live by {@code GET /debug/route}.
 */
public final class RouteExplainer {
    /** Hosts listed per cluster: the pick and the next ones on the key's probe sequence. */
    static final int PROBE_HOSTS = 3;

    private RouteExplainer() {
    }

    /**
     * A request to explain.
     *
     * @param method    e.g. {@code GET}
     * @param authority the {@code Host}/{@code :authority}
     * @param uri       the origin-form target, {@code /path?query}
     * @param headers   further request headers, in order
     * @param remote    the downstream address for {@code source_ip} hashing, or {@code null}
     */
    public record Input(String method, String authority, String uri, List<Map.Entry<String, String>> headers,
                        SocketAddress remote) {
        public Input {
            headers = List.copyOf(headers);
        }

        /**
         * Parses {@code 'GET http://host/path?q'} (or {@code 'GET /path'} with a {@code host} header given).
         *
         * @param requestLine method and absolute URL (or origin-form path), separated by one space
         * @param headers     {@code name: value} strings
         * @throws IllegalArgumentException naming what is wrong with the line or a header
         */
        public static Input parse(String requestLine, List<String> headers, SocketAddress remote) {
            String line = requestLine.trim();
            int sp = line.indexOf(' ');
            String method = sp < 0 ? "GET" : line.substring(0, sp).toUpperCase(Locale.ROOT);
            String target = sp < 0 ? line : line.substring(sp + 1).trim();
            List<Map.Entry<String, String>> hs = new ArrayList<>();
            String host = null;
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("header '" + h + "' (expected: name: value)");
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("host") || name.equals(":authority")) {
                    host = value;
                } else {
                    hs.add(Map.entry(name, value));
                }
            }
            String uri = target;
            int scheme = target.indexOf("://");
            if (scheme > 0) {
                int slash = target.indexOf('/', scheme + 3);
                String authority = slash < 0 ? target.substring(scheme + 3) : target.substring(scheme + 3, slash);
                uri = slash < 0 ? "/" : target.substring(slash);
                host = host == null ? authority : host;
            }
            if (!uri.startsWith("/")) {
                throw new IllegalArgumentException("'" + requestLine + "' (expected: METHOD http://host/path, or METHOD "
                        + "/path with a host header)");
            }
            int hash = uri.indexOf('#');
            return new Input(method, host == null ? "" : host, hash < 0 ? uri : uri.substring(0, hash), hs, remote);
        }
    }

    /**
     * @param table    the listener's route table
     * @param listener its name, for the output
     * @param input    the request
     * @param clusters the clusters by name, for host picks; returns {@code null} for a cluster not available here
     */
    public static RouteExplanation explain(RouteTable table, String listener, Input input, Function<String, Cluster> clusters) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(input.method()), input.uri());
        if (!input.authority().isEmpty()) {
            req.headers().set(HttpHeaderNames.HOST, input.authority());
        }
        for (Map.Entry<String, String> h : input.headers()) {
            req.headers().add(h.getKey(), h.getValue());
        }
        List<String> headerLines = RouteExplanation.headerLines(input.headers());
        String line = input.method() + " http://" + input.authority() + input.uri();
        List<RouteTable.DomainRule> domains = table.matchingDomains(input.authority());
        if (domains.isEmpty()) {
            return new RouteExplanation(line, headerLines, listener, null, List.of(), List.of(), -1, "404", List.of(),
                    List.of(), List.of());
        }
        VirtualHost vh = domains.get(0).virtualHost();
        List<String> domainText = domains.stream().map(d -> "\"" + d.pattern() + "\" " + kind(d.kind())
                + (d.virtualHost() == vh ? "" : " of " + d.virtualHost().name())).toList();
        String path = RouteTable.pathOf(input.uri());
        boolean connect = HttpMethod.CONNECT.equals(req.method());
        List<RouteExplanation.RouteCheck> checks = new ArrayList<>();
        int taken = -1;
        for (RouteEntry r : vh.routes()) {
            int failure = r.firstFailure(path, input.uri(), req.headers(), connect);
            checks.add(new RouteExplanation.RouteCheck(r.label(), RouteEntry.describeMatch(r.match()),
                    failure == RouteEntry.MATCHED ? null : describeFailure(r, failure, path, req)));
            if (failure == RouteEntry.MATCHED) {
                taken = checks.size() - 1;
                break;
            }
        }
        if (taken < 0) {
            return new RouteExplanation(line, headerLines, listener, vh.name(), domainText, checks, -1, "404", List.of(),
                    List.of(), List.of());
        }
        RouteEntry route = vh.routes().get(taken);
        List<String> details = new ArrayList<>();
        if (route.action() instanceof RedirectAction r) {
            return new RouteExplanation(line, headerLines, listener, vh.name(), domainText, checks, taken,
                    "redirect " + r.responseCode() + " to " + RouteReplies.location(r, route, withScheme(req)),
                    details, List.of(), List.of());
        }
        if (route.action() instanceof DirectResponseAction d) {
            return new RouteExplanation(line, headerLines, listener, vh.name(), domainText, checks, taken,
                    "direct_response " + d.status() + (d.body() == null ? " (no body)" : " (" + d.body().length()
                            + " characters of body)"), details, List.of(), List.of());
        }
        RouteAction a = (RouteAction) route.action();
        String rewritten = route.rewritePath(input.uri());
        if (!rewritten.equals(input.uri())) {
            details.add("path rewrite: " + input.uri() + " -> " + rewritten);
        }
        if (a.hostRewriteLiteral() != null) {
            details.add("host rewrite: " + input.authority() + " -> " + a.hostRewriteLiteral());
        }
        List<HashKey.Contribution> hash = HashKey.explain(a.hashPolicy(), req, input.remote());
        long[] key = new long[1];
        boolean hasKey = HashKey.compute(a.hashPolicy(), req, input.remote(), key);
        if (!a.hashPolicy().isEmpty()) {
            StringBuilder h = new StringBuilder("hash key: ");
            h.append(hasKey ? String.format("0x%016x", key[0]) : "none (no policy yielded a value)").append(" from");
            for (HashKey.Contribution c : hash) {
                h.append("\n  ").append(c.source()).append(": ").append(!c.used() ? "not evaluated (after a terminal value)"
                        : c.value() == null ? "absent" : "\"" + c.value() + "\"");
            }
            details.add(h.toString());
        }
        List<RouteExplanation.HostPick> picks = new ArrayList<>();
        for (String name : a.clusterNames()) {
            RouteExplanation.HostPick p = pick(clusters.apply(name), name, hasKey, key[0]);
            picks.add(p);
            details.add("hosts of " + name + " (" + p.policy() + "): "
                    + (p.hosts().isEmpty() ? "" : String.join(" then ", p.hosts()) + " ") + (p.note() == null ? "" : p.note()));
        }
        details.add("timeout: " + duration(a.timeout()) + (a.idleTimeout() == null ? "" : ", idle_timeout " + duration(a.idleTimeout()))
                + (a.maxStreamDuration() == null ? "" : ", max_stream_duration " + duration(a.maxStreamDuration())));
        details.add("retry_policy: " + retry(a.retryPolicy()));
        return new RouteExplanation(line, headerLines, listener, vh.name(), domainText, checks, taken, target(a), details,
                hash, picks);
    }

    private static HttpRequest withScheme(HttpRequest req) {
        if (!req.headers().contains("x-forwarded-proto")) {
            req.headers().set("x-forwarded-proto", "http");
        }
        return req;
    }

    private static String target(RouteAction a) {
        if (a.cluster() != null) {
            return "forward to cluster " + a.cluster();
        }
        long total = a.weightedClusters().stream().mapToLong(WeightedCluster::weight).sum();
        StringBuilder b = new StringBuilder("forward to weighted_clusters");
        for (WeightedCluster w : a.weightedClusters()) {
            b.append(String.format(Locale.ROOT, " %s %.1f%%", w.name(), 100.0 * w.weight() / total));
        }
        return b.toString();
    }

    private static RouteExplanation.HostPick pick(Cluster c, String name, boolean hasKey, long key) {
        if (c == null) {
            return new RouteExplanation.HostPick(name, "?", List.of(), "(not computed: cluster not built here)");
        }
        String policy = c.config().isAggregate() ? "aggregate of " + String.join(", ", c.config().aggregateClusters())
                : c.config().lbPolicy().yamlName();
        boolean hashing = policy.equals("ring_hash") || policy.equals("maglev");
        int eligible = c.hostSet().eligible().size();
        if (eligible == 0) {
            return new RouteExplanation.HostPick(name, policy, List.of(), "(no host: 503 UH)");
        }
        if (eligible == 1) {
            return new RouteExplanation.HostPick(name, policy, List.of(c.hostSet().eligible().get(0).addressString()),
                    "(the only host)");
        }
        if (!hashing || !hasKey) {
            return new RouteExplanation.HostPick(name, policy, List.of(), "(varies per request: " + eligible + " hosts"
                    + (hashing ? ", no hash key so a random ring position" : "") + ")");
        }
        LoadBalancer lb = c.hostSet().lbFactory().create(new SplittableRandom(key));
        List<Host> order = new ArrayList<>();
        for (int i = 0; i < Math.min(PROBE_HOSTS, eligible); i++) {
            Host h = lb.chooseHost(new LoadBalancerContext() {
                @Override
                public boolean hasHashKey() {
                    return true;
                }

                @Override
                public long hashKey() {
                    return key;
                }

                @Override
                public boolean shouldSelectAnotherHost(Host host) {
                    return order.contains(host);
                }
            });
            if (h == null || order.contains(h)) {
                break;
            }
            order.add(h);
        }
        return new RouteExplanation.HostPick(name, policy, order.stream().map(Host::addressString).toList(),
                c.config().loadBalancing().hashBalanceFactor() > 0 ? "(at current loads; hash_balance_factor "
                        + c.config().loadBalancing().hashBalanceFactor() + ")" : "(retries walk this order)");
    }

    private static String retry(RetryPolicy p) {
        if (p == null) {
            return "none (only a request on a stale keep-alive connection is retried)";
        }
        return "retry_on " + String.join(",", p.retryOn().stream().sorted().toList()) + ", num_retries " + p.numRetries()
                + (p.perTryTimeout().isZero() ? "" : ", per_try_timeout " + duration(p.perTryTimeout()))
                + (p.previousHosts() ? ", previous_hosts" : "");
    }

    private static String duration(Duration d) {
        if (d.isZero()) {
            return "none";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String kind(RouteTable.DomainKind k) {
        return switch (k) {
            case EXACT -> "exact";
            case SUFFIX_WILDCARD -> "suffix wildcard";
            case PREFIX_WILDCARD -> "prefix wildcard";
            case CATCH_ALL -> "catch-all";
        };
    }

    /** The condition {@code code} ({@link RouteEntry#firstFailure}) of {@code route}, and why it failed. */
    static String describeFailure(RouteEntry route, int code, String path, HttpRequest req) {
        var m = route.match();
        if (code == RouteEntry.FAILED_CONNECT) {
            return HttpMethod.CONNECT.equals(req.method()) ? "a CONNECT request matches connect_matcher routes only"
                    : "connect_matcher matches CONNECT requests only";
        }
        if (code == RouteEntry.FAILED_PATH) {
            String verb = switch (m.pathKind()) {
                case PREFIX -> "is not a prefix of";
                case PATH -> "is not";
                default -> "does not match";
            };
            return RouteEntry.describeMatch(m) + " " + verb + " " + path + (m.caseSensitive() ? "" : " (case-insensitive)");
        }
        int i = code - RouteEntry.FAILED_HEADER;
        if (i < m.headers().size()) {
            HeaderMatcher h = m.headers().get(i);
            String actual = req.headers().get(h.name());
            String condition = h.kind() == HeaderMatcher.Kind.PRESENT ? ("true".equals(h.value()) ? "present" : "absent")
                    : h.kind().name().toLowerCase(Locale.ROOT) + " \"" + h.value() + "\"";
            if (h.invert()) {
                return "header " + h.name() + ": " + (actual == null ? "absent" : "\"" + actual + "\"") + " satisfies "
                        + condition + " (invert_match)";
            }
            return "header " + h.name() + ": " + (actual == null ? "missing" : "\"" + actual + "\" is not " + condition);
        }
        QueryParameterMatcher q = m.queryParameters().get(i - m.headers().size());
        String actual = RouteEntry.firstValue(RouteEntry.queryParameters(req.uri()), q.name());
        return "query parameter " + q.name() + ": " + (actual == null ? "missing"
                : "\"" + actual + "\" is not " + q.stringMatch());
    }
}
