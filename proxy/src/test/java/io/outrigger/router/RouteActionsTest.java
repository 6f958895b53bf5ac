package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.RedirectAction;
import org.junit.jupiter.api.Test;

class RouteActionsTest {
    private static final String YAML = """
            listeners:
              - name: l
                address: 127.0.0.1:0
                virtual_hosts:
                  - name: v
                    domains: ["*"]
                    routes:
                      - match: { prefix: /q, query_parameters: [ { name: v, string_match: { prefix: "2", ignore_case: true } } ] }
                        direct_response: { status: 200, body: { inline_string: v2 } }
                      - match: { prefix: /q, query_parameters: [ { name: debug, present_match: true } ] }
                        direct_response: { status: 200, body: { inline_string: debug } }
                      - match: { prefix: /old/ }
                        redirect: { prefix_rewrite: /new/ }
                      - match: { prefix: /secure }
                        redirect: { https_redirect: true }
                      - match: { prefix: /elsewhere }
                        redirect: { host_redirect: example.org, port_redirect: 8443, path_redirect: "/landing?from=x", response_code: FOUND }
                      - match: { prefix: /strip }
                        redirect: { regex_rewrite: { pattern: { regex: "^/strip/(.*)$" }, substitution: "/\\\\1" }, strip_query: true }
                      - match: { prefix: /r/ }
                        route: { cluster: c, regex_rewrite: { pattern: { regex: "/r/(\\\\d+)/(\\\\w+)" }, substitution: "/\\\\2/\\\\1" } }
                      - match: { prefix: /p/ }
                        route: { cluster: c, prefix_rewrite: /x/, regex_rewrite: { pattern: { regex: "x" }, substitution: "y" } }
            clusters:
              - { name: c, endpoints: [ 127.0.0.1:1 ] }
            """;

    private final RouteTable table;

    RouteActionsTest() throws Exception {
        table = RouteTable.build(new ConfigLoader(n -> null).load("r.yaml", YAML).listeners().get(0));
    }

    private static HttpRequest request(String host, String uri, String proto) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", host).set("x-forwarded-proto", proto);
        return r;
    }

    private String location(String host, String uri, String proto) {
        HttpRequest r = request(host, uri, proto);
        RouteEntry e = table.route(r);
        return RouteReplies.location((RedirectAction) e.action(), e, r);
    }

    private String body(String uri) {
        RouteEntry e = table.route(request("h", uri, "http"));
        return e == null ? null : ((io.outrigger.config.DirectResponseAction) e.action()).body();
    }

    @Test
    void queryParametersMatchDecodedFirstValues() {
        assertThat(body("/q?v=2beta")).isEqualTo("v2");
        assertThat(body("/q?v=2BETA&v=1")).isEqualTo("v2");
        assertThat(body("/q?v=1&v=2")).isNull(); // the first value decides, as in Envoy
        assertThat(body("/q?v=%32")).isEqualTo("v2"); // %-decoded
        assertThat(body("/q?debug")).isEqualTo("debug");
        assertThat(body("/q?v=3&debug=")).isEqualTo("debug");
        assertThat(body("/q")).isNull();
        assertThat(body("/q?v=%zz")).isNull(); // a broken escape: no parameters, no exception
    }

    @Test
    void redirectsFollowEnvoysRules() {
        assertThat(location("shop.example:8080", "/old/a/b?x=1", "http")).isEqualTo("http://shop.example:8080/new/a/b?x=1");
        assertThat(location("shop.example:80", "/secure/p?q", "http")).isEqualTo("https://shop.example/secure/p?q");
        assertThat(location("shop.example:8080", "/secure", "http")).isEqualTo("https://shop.example:8080/secure");
        assertThat(location("[::1]:80", "/secure", "http")).isEqualTo("https://[::1]/secure");
        assertThat(location("shop.example", "/elsewhere?keep=no", "https"))
                .isEqualTo("https://example.org:8443/landing?from=x");
        assertThat(location("shop.example", "/strip/a/b?q=1", "http")).isEqualTo("http://shop.example/a/b");
    }

    @Test
    void forwardRewritesApplyPrefixThenRegex() {
        RouteEntry e = table.route(request("h", "/r/42/users?x=/r/1/a", "http"));
        assertThat(e.rewritePath("/r/42/users?x=/r/1/a")).isEqualTo("/users/42?x=/r/1/a");
        RouteEntry p = table.route(request("h", "/p/xa", "http"));
        assertThat(p.rewritePath("/p/xa")).isEqualTo("/y/ya");
    }
}
