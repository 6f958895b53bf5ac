package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static final String YAML = """
            listeners:
              - name: l
                address: 127.0.0.1:0
                virtual_hosts:
                  - name: exact
                    domains: ["api.shop.svc"]
                    routes: [ { match: { prefix: / }, route: { cluster: exact } } ]
                  - name: long_suffix
                    domains: ["*.shop.svc"]
                    routes: [ { match: { prefix: / }, route: { cluster: long_suffix } } ]
                  - name: short_suffix
                    domains: ["*.svc"]
                    routes: [ { match: { prefix: / }, route: { cluster: short_suffix } } ]
                  - name: prefix
                    domains: ["catalog.*", "catalog:*"]
                    routes: [ { match: { prefix: / }, route: { cluster: prefix } } ]
                  - name: fallback
                    domains: ["*"]
                    routes:
                      - match: { path: /exact }
                        route: { cluster: path }
                      - match: { prefix: /api/, headers: [ { name: x-canary, exact: "1" } ] }
                        route: { cluster: canary }
                      - match: { prefix: /api/, headers: [ { name: x-debug, present: true }, { name: x-env, prefix: st } ] }
                        route: { cluster: debug }
                      - match: { prefix: /api/ }
                        route: { cluster: api, prefix_rewrite: /v2/ }
                      - match: { safe_regex: { regex: "/users/[0-9]+" } }
                        route: { cluster: regex }
                      - match: { prefix: /CASE, case_sensitive: false }
                        route: { cluster: nocase }
            clusters:
              - { name: exact, endpoints: [ 127.0.0.1:1 ] }
              - { name: long_suffix, endpoints: [ 127.0.0.1:1 ] }
              - { name: short_suffix, endpoints: [ 127.0.0.1:1 ] }
              - { name: prefix, endpoints: [ 127.0.0.1:1 ] }
              - { name: path, endpoints: [ 127.0.0.1:1 ] }
              - { name: canary, endpoints: [ 127.0.0.1:1 ] }
              - { name: debug, endpoints: [ 127.0.0.1:1 ] }
              - { name: api, endpoints: [ 127.0.0.1:1 ] }
              - { name: regex, endpoints: [ 127.0.0.1:1 ] }
              - { name: nocase, endpoints: [ 127.0.0.1:1 ] }
            """;

    private final RouteTable table;

    RouteTableTest() throws Exception {
        OutriggerConfig c = new ConfigLoader(n -> null).load("routes.yaml", YAML);
        table = RouteTable.build(c.listeners().get(0));
    }

    private String vhost(String host) {
        VirtualHost vh = table.virtualHost(host);
        return vh == null ? null : vh.name();
    }

    private String cluster(String host, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", host);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        RouteEntry e = table.route(r);
        return e == null ? null : e.forward().cluster();
    }

    @Test
    void mostSpecificDomainWins() {
        assertThat(vhost("api.shop.svc")).isEqualTo("exact");
        assertThat(vhost("API.Shop.SVC")).isEqualTo("exact");
        assertThat(vhost("cart.shop.svc")).isEqualTo("long_suffix");
        assertThat(vhost("cart.other.svc")).isEqualTo("short_suffix");
        assertThat(vhost("catalog.internal")).isEqualTo("prefix");
        assertThat(vhost("catalog:8080")).isEqualTo("prefix");
        assertThat(vhost("catalog")).isEqualTo("fallback"); // a prefix wildcard needs a non-empty rest
        assertThat(vhost(".svc")).isEqualTo("fallback");      // so does a suffix wildcard
        assertThat(vhost("api.shop.svc:80")).isEqualTo("fallback"); // the port is part of the host
        assertThat(vhost(null)).isEqualTo("fallback");
    }

    @Test
    void routesMatchInOrderFirstWins() {
        assertThat(cluster("x", "/exact")).isEqualTo("path");
        assertThat(cluster("x", "/exact?q=1")).isEqualTo("path");
        assertThat(cluster("x", "/exact/more")).isNull();
        assertThat(cluster("x", "/api/items", "x-canary", "1")).isEqualTo("canary");
        assertThat(cluster("x", "/api/items", "x-canary", "2")).isEqualTo("api");
        assertThat(cluster("x", "/api/items", "x-debug", "", "x-env", "staging")).isEqualTo("debug");
        assertThat(cluster("x", "/api/items", "x-debug", "", "x-env", "prod")).isEqualTo("api");
        assertThat(cluster("x", "/users/42")).isEqualTo("regex");
        assertThat(cluster("x", "/users/42/orders")).isNull(); // the regex must match the whole path
        assertThat(cluster("x", "/case/x")).isEqualTo("nocase");
        assertThat(cluster("x", "/nothing")).isNull();
    }

    @Test
    void prefixRewriteKeepsTheRestAndTheQuery() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/items?id=7");
        r.headers().set("host", "x");
        assertThat(table.route(r).rewritePath(r.uri())).isEqualTo("/v2/items?id=7");
    }
}
