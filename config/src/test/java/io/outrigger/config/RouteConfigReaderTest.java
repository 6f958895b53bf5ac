package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteConfigReaderTest {
    private static String config(String routes) {
        return """
                listeners:
                  - name: l
                    address: 127.0.0.1:0
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                """ + routes.indent(10) + """
                clusters:
                  - { name: stable, endpoints: [ 127.0.0.1:1 ] }
                  - { name: canary, endpoints: [ 127.0.0.1:2 ] }
                """;
    }

    private static List<RouteConfig> routes(String routes) throws ConfigException {
        return new ConfigLoader(n -> null).load("r.yaml", config(routes)).listeners().get(0).virtualHosts().get(0).routes();
    }

    private static List<String> errors(String routes) {
        try {
            new ConfigLoader(n -> null).load("r.yaml", config(routes));
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected errors");
    }

    @Test
    void readsEveryActionKindAndTheNewMatchers() throws Exception {
        List<RouteConfig> rs = routes("""
                - name: canary-split
                  match: { prefix: /api/, query_parameters: [ { name: v, string_match: { exact: "2" } }, { name: debug, present_match: true } ] }
                  route:
                    weighted_clusters: { clusters: [ { name: stable, weight: 90 }, { name: canary, weight: 10 } ] }
                    regex_rewrite: { pattern: { regex: "^/api/(\\\\w+)/(\\\\d+)$" }, substitution: "/\\\\2/\\\\1" }
                - match: { prefix: /old/ }
                  redirect: { https_redirect: true, prefix_rewrite: /new/, response_code: PERMANENT_REDIRECT, strip_query: true }
                - match: { path: /healthz }
                  direct_response: { status: 200, body: { inline_string: "ok" } }
                """);
        RouteConfig split = rs.get(0);
        assertThat(split.name()).isEqualTo("canary-split");
        assertThat(split.match().queryParameters()).hasSize(2);
        assertThat(split.match().queryParameters().get(0).matches("2")).isTrue();
        assertThat(split.match().queryParameters().get(0).matches("3")).isFalse();
        assertThat(split.match().queryParameters().get(1).matches("")).isTrue();
        assertThat(split.match().queryParameters().get(1).matches(null)).isFalse();
        RouteAction a = (RouteAction) split.action();
        assertThat(a.cluster()).isNull();
        assertThat(a.clusterNames()).containsExactly("stable", "canary");
        assertThat(a.regexRewrite().apply("/api/users/42?x=1")).isEqualTo("/42/users?x=1");
        // Envoy's rule: random mod 100, walking the entries: 0..89 stable, 90..99 canary
        assertThat(a.clusterFor(0)).isEqualTo("stable");
        assertThat(a.clusterFor(89)).isEqualTo("stable");
        assertThat(a.clusterFor(90)).isEqualTo("canary");
        assertThat(a.clusterFor(199)).isEqualTo("canary");
        assertThat(a.clusterFor(-1)).isEqualTo("canary"); // floorMod: any long is a valid draw
        assertThat(rs.get(1).action()).isEqualTo(new RedirectAction("https", null, 0, null, "/new/", null, 308, true));
        assertThat(rs.get(2).action()).isEqualTo(new DirectResponseAction(200, "ok"));
    }

    @Test
    void mirrorPoliciesWithEnvoysFractions() throws Exception {
        RouteAction a = (RouteAction) routes("""
                - match: { prefix: / }
                  route:
                    cluster: stable
                    request_mirror_policies:
                      - { cluster: canary, runtime_fraction: { default_value: { numerator: 25, denominator: TEN_THOUSAND } } }
                      - { cluster: canary, disable_shadow_host_suffix_append: true }
                """).get(0).action();
        assertThat(a.mirrorPolicies()).containsExactly(new RequestMirrorPolicy("canary", 2_500, false),
                new RequestMirrorPolicy("canary", 1_000_000, true));
        assertThat(errors("""
                - match: { prefix: / }
                  route: { cluster: stable, request_mirror_policies: [ { cluster: nope }, { cluster: canary, runtime_fraction: { default_value: { numerator: 101 } } } ] }
                """)).hasSize(2).anySatisfy(e -> assertThat(e).contains("'nope' (expected: the name of a cluster"))
                .anySatisfy(e -> assertThat(e).contains("101 is above the denominator 100"));
    }

    @Test
    void regexRewriteQuotesWhatIsNotAGroupReference() {
        assertThat(RegexRewrite.re2jReplacement("/a/\\1/$x\\\\")).isEqualTo("/a/$1/\\$x\\\\");
        RegexRewrite r = new RegexRewrite(com.google.re2j.Pattern.compile("(o)"), "$0\\1");
        assertThat(r.apply("/fo?o")).isEqualTo("/f$0o?o"); // a literal "$0", group 1, the query untouched
    }

    @Test
    void badActionsAreLocatedErrors() {
        assertThat(errors("""
                - match: { prefix: / }
                  route: { cluster: stable }
                  direct_response: { status: 200 }
                """)).containsExactly("r.yaml:8:13: listeners[0].virtual_hosts[0].routes[0]: more than one action [route, "
                + "direct_response] (expected: one of route, redirect, direct_response)");
        assertThat(errors("""
                - match: { prefix: / }
                """)).singleElement().asString().contains("missing action");
        assertThat(errors("""
                - match: { prefix: / }
                  route: { weighted_clusters: { clusters: [ { name: stable, weight: 0 }, { name: nope, weight: 1 } ] } }
                """)).singleElement().asString().contains("'nope' (expected: the name of a cluster; known: canary, stable)");
        assertThat(errors("""
                - match: { prefix: / }
                  route: { weighted_clusters: { clusters: [ { name: stable, weight: 0 } ] } }
                """)).singleElement().asString().contains("every weight is 0");
        assertThat(errors("""
                - match: { prefix: / }
                  route: { cluster: stable, weighted_clusters: { clusters: [ { name: stable } ] } }
                """)).singleElement().asString().contains("both cluster and weighted_clusters");
        assertThat(errors("""
                - match: { prefix: / }
                  redirect: { response_code: MOVED, path_redirect: x }
                """)).hasSize(2).anySatisfy(e -> assertThat(e).contains("'MOVED'"))
                .anySatisfy(e -> assertThat(e).contains("'x' (expected: a path starting with '/')"));
        assertThat(errors("""
                - match: { prefix: / }
                  direct_response: { status: 99, body: { inline_string: a, filename: /b } }
                """)).hasSize(2).anySatisfy(e -> assertThat(e).contains("status"))
                .anySatisfy(e -> assertThat(e).contains("expected exactly one of inline_string, filename"));
        assertThat(errors("""
                - match: { prefix: /, query_parameters: [ { name: a } ] }
                  direct_response: { status: 200 }
                """)).singleElement().asString().contains("expected exactly one of string_match, present_match: true");
        assertThat(errors("""
                - match: { prefix: / }
                  route: { cluster: stable, regex_rewrite: { pattern: { regex: "^/(a)" }, substitution: "/\\\\2" } }
                """)).singleElement().asString().contains("substitution '/\\2' refers to group 2; the pattern has 1");
        assertThat(errors("""
                - match: { prefix: / }
                  direct_response: { status: 200, body: { filename: /nonexistent/body.txt } }
                """)).singleElement().asString().contains("'/nonexistent/body.txt' cannot be read");
    }
}
