package io.outrigger.router;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.DirectResponseAction;
import io.outrigger.config.RedirectAction;
import io.outrigger.config.RouteAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Route tests in the format of Envoy's {@code router_check_tool}
 * (<a href="https://www.envoyproxy.io/docs/envoy/latest/operations/tools/route_table_check_tool">its docs</a>):
 * {@code tests: [ { test_name, input: { authority, path, method, ssl, internal, random_value,
 * additional_request_headers: [ { key, value } ] }, validate: { cluster_name, virtual_host_name, path_rewrite,
 * host_rewrite, path_redirect, code_redirect } } ]}, YAML or JSON. Each expected field is compared with what the
 * route table does; an empty expected string means "none" (no route, no cluster), as in Envoy. Validate keys this
 * tool cannot check ({@code request_header_matches}, {@code response_header_matches}, {@code virtual_cluster_name})
 * fail their test with a message instead of passing silently.
 */
public final class RouteTests {
    /** The validate keys compared. */
    static final List<String> CHECKED = List.of("cluster_name", "virtual_host_name", "path_rewrite", "host_rewrite",
            "path_redirect", "code_redirect");
    static final List<String> NOT_SUPPORTED = List.of("request_header_matches", "response_header_matches",
            "virtual_cluster_name", "header_fields", "custom_header_fields");

    /**
     * One test of the file.
     *
     * @param name        {@code test_name}
     * @param request     method, authority, path and headers
     * @param ssl         {@code input.ssl}: the request came over TLS ({@code x-forwarded-proto: https})
     * @param randomValue {@code input.random_value}: picks among weighted clusters (Envoy's default 0)
     * @param expected    the validate keys given, by name, as strings
     * @param unsupported validate keys given that cannot be checked
     */
    record RouteTest(String name, RouteExplainer.Input request, boolean ssl, long randomValue,
                     Map<String, String> expected, List<String> unsupported) {
    }

    /**
     * A test's outcome.
     *
     * @param name     the test's name
     * @param failures one line per field that differed or could not be checked; empty when it passed
     */
    public record Result(String name, List<String> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    /**
     * The whole run.
     *
     * @param results    per test, in file order
     * @param routes     the number of routes in the listener
     * @param uncovered  the routes no test matched, as {@code virtual_host #N label}
     */
    public record Report(List<Result> results, int routes, List<String> uncovered) {
        public boolean passed() {
            return results.stream().allMatch(Result::passed);
        }

        /** PASS/FAIL per test, the coverage and a count. */
        public String text() {
            StringBuilder b = new StringBuilder();
            int failed = 0;
            for (Result r : results) {
                b.append(r.passed() ? "PASS  " : "FAIL  ").append(r.name()).append('\n');
                for (String f : r.failures()) {
                    b.append("      ").append(f).append('\n');
                }
                failed += r.passed() ? 0 : 1;
            }
            int covered = routes - uncovered.size();
            b.append(String.format(Locale.ROOT, "coverage: %d of %d routes (%.1f%%)%n", covered, routes,
                    routes == 0 ? 100.0 : 100.0 * covered / routes));
            if (!uncovered.isEmpty()) {
                b.append("not covered by any test:\n");
                for (String u : uncovered) {
                    b.append("  ").append(u).append('\n');
                }
            }
            b.append(results.size() - failed).append(" passed, ").append(failed).append(" failed\n");
            return b.toString();
        }
    }

    private RouteTests() {
    }

    /**
     * Reads a test file.
     *
     * @param label the file name for error locations
     * @throws ConfigException naming {@code file:line:column} of each malformed entry
     */
    static List<RouteTest> parse(String label, String text) throws ConfigException {
        return new ConfigLoader(name -> null).read(label, text, "empty test file (expected: tests: [ ... ])", root -> {
            ConfigMap top = root.asMap();
            List<RouteTest> tests = new ArrayList<>();
            for (ConfigNode t : top.required("tests").map(ConfigNode::asList).orElse(List.of())) {
                RouteTest rt = test(t);
                if (rt != null) {
                    tests.add(rt);
                }
            }
            top.finish();
            return tests;
        });
    }

    private static RouteTest test(ConfigNode n) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("test_name").orElse(null);
        ConfigMap in = m.required("input").map(ConfigNode::asMap).orElse(null);
        ConfigMap v = m.required("validate").map(ConfigNode::asMap).orElse(null);
        m.finish();
        if (in == null) {
            return null;
        }
        String authority = in.requiredString("authority").orElse("");
        String path = in.requiredString("path").orElse("/");
        String method = in.string("method", "GET").toUpperCase(Locale.ROOT);
        boolean ssl = in.bool("ssl", false);
        in.bool("internal", false); // Envoy's x-envoy-internal: accepted, no routing effect here
        long random = in.integer("random_value", 0, 0, Long.MAX_VALUE);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (ConfigNode h : in.list("additional_request_headers")) {
            ConfigMap hm = h.asMap();
            String key = hm.requiredString("key").orElse(null);
            String value = hm.requiredString("value").orElse(null);
            hm.finish();
            if (key != null && value != null) {
                headers.add(Map.entry(key.toLowerCase(Locale.ROOT), value));
            }
        }
        in.list("additional_response_headers"); // only for response_header_matches, which is reported as unsupported
        in.finish();
        if (!path.startsWith("/")) {
            in.optional("path").get().error("'" + path + "' (expected: a path starting with '/')");
        }
        if (v == null) {
            return null;
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (String key : CHECKED) {
            if (key.equals("code_redirect")) {
                if (v.has(key)) {
                    expected.put(key, Long.toString(v.integer(key, 0, 0, 999)));
                }
            } else {
                v.string(key).ifPresent(s -> expected.put(key, s));
            }
        }
        List<String> unsupported = new ArrayList<>();
        for (String key : NOT_SUPPORTED) {
            if (v.has(key)) {
                v.optional(key);
                unsupported.add(key);
            }
        }
        v.finish();
        if (expected.isEmpty() && unsupported.isEmpty()) {
            n.error("validate has no field to check (expected: some of " + String.join(", ", CHECKED) + ")");
        }
        return name == null ? null : new RouteTest(name, new RouteExplainer.Input(method, authority, path, headers, null),
                ssl, random, expected, unsupported);
    }

    /**
     * Reads a test file and runs it against one listener's route table.
     *
     * @param label the file name, for error locations
     * @throws ConfigException when the file is malformed ({@code file:line:column} per problem); nothing runs then
     */
    public static Report run(RouteTable table, String label, String text) throws ConfigException {
        return run(table, parse(label, text));
    }

    /**
     * Runs tests against one listener's route table.
     *
     * @return per-test results and the routes no test matched
     */
    static Report run(RouteTable table, List<RouteTest> tests) {
        Set<RouteEntry> covered = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Result> results = new ArrayList<>();
        for (RouteTest t : tests) {
            Map<String, String> actual = evaluate(table, t, covered);
            List<String> failures = new ArrayList<>();
            t.expected().forEach((key, want) -> {
                String got = actual.get(key);
                if (!want.equals(got)) {
                    failures.add(key + ": expected \"" + want + "\", got \"" + got + "\"");
                }
            });
            for (String key : t.unsupported()) {
                failures.add(key + ": not checked (outrigger test-routes does not support it)");
            }
            results.add(new Result(t.name(), failures));
        }
        List<String> uncovered = new ArrayList<>();
        int routes = 0;
        for (VirtualHost vh : table.virtualHosts()) {
            for (int i = 0; i < vh.routes().size(); i++) {
                routes++;
                RouteEntry r = vh.routes().get(i);
                if (!covered.contains(r)) {
                    uncovered.add(vh.name() + " #" + (i + 1) + " " + (r.name() == null ? "" : r.name() + " ")
                            + RouteEntry.describeMatch(r.match()));
                }
            }
        }
        return new Report(results, routes, uncovered);
    }

    /** What the route table does with a test's request, by validate key. */
    private static Map<String, String> evaluate(RouteTable table, RouteTest t, Set<RouteEntry> covered) {
        RouteExplainer.Input in = t.request();
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(in.method()), in.uri());
        req.headers().set(HttpHeaderNames.HOST, in.authority()).set("x-forwarded-proto", t.ssl() ? "https" : "http");
        for (Map.Entry<String, String> h : in.headers()) {
            req.headers().add(h.getKey(), h.getValue());
        }
        Map<String, String> actual = new LinkedHashMap<>();
        for (String key : CHECKED) {
            actual.put(key, key.equals("code_redirect") ? "0" : "");
        }
        VirtualHost vh = table.virtualHost(in.authority());
        if (vh == null) {
            return actual;
        }
        actual.put("virtual_host_name", vh.name());
        RouteEntry route = table.route(req);
        if (route == null) {
            return actual;
        }
        covered.add(route);
        if (route.action() instanceof RouteAction a) {
            actual.put("cluster_name", a.clusterFor(t.randomValue()));
            actual.put("path_rewrite", route.rewritePath(in.uri()));
            actual.put("host_rewrite", a.hostRewriteLiteral() != null ? a.hostRewriteLiteral() : in.authority());
        } else if (route.action() instanceof RedirectAction r) {
            actual.put("path_redirect", RouteReplies.location(r, route, req));
            actual.put("code_redirect", Integer.toString(r.responseCode()));
        } else if (route.action() instanceof DirectResponseAction d) {
            actual.put("code_redirect", Integer.toString(d.status()));
        }
        return actual;
    }
}
