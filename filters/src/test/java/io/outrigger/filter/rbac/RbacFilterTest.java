package io.outrigger.filter.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** rbac: Envoy's policy semantics (ALLOW/DENY, any permission and any principal), shadow rules, located errors. */
class RbacFilterTest {
    private final RbacFilterFactory factory = new RbacFilterFactory();

    /** Parses {@code { rbac: <yaml> }} the way a route's typed_per_filter_config is. */
    private RbacFilterFactory.Settings parse(String yaml) throws ConfigException {
        return (RbacFilterFactory.Settings) new ConfigLoader(n -> null).read("r.yaml", "rbac:\n" + yaml.indent(2), "empty",
                factory::createRouteSpecificConfig);
    }

    private List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    private static HttpRequest request(HttpMethod method, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static StreamInfo from(String ip, int localPort) {
        return new StreamInfo() {
            @Override
            public SocketAddress downstreamRemoteAddress() {
                return new InetSocketAddress(ip, 40000);
            }

            @Override
            public SocketAddress downstreamLocalAddress() {
                return new InetSocketAddress("127.0.0.1", localPort);
            }

            @Override
            public String protocol() {
                return "HTTP/1.1";
            }

            @Override
            public String listenerName() {
                return "l";
            }
        };
    }

    @Test
    void allowPassesOnlyRequestsAPolicyMatchesWithAPermissionAndAPrincipal() throws Exception {
        RbacRules rules = parse("""
                rules:
                  action: ALLOW
                  policies:
                    reads:
                      permissions:
                        - and_rules: { rules: [ { header: { name: ":method", exact: GET } },
                                                { url_path: { path: { prefix: /api/ } } } ] }
                      principals: [ { direct_remote_ip: { address_prefix: 10.0.0.0, prefix_len: 8 } } ]
                    admin:
                      permissions: [ { any: true } ]
                      principals: [ { header: { name: x-role, exact: admin } } ]
                """).rules();
        assertThat(rules.evaluate(request(HttpMethod.GET, "/api/items?x=1"), from("10.1.2.3", 80)))
                .isEqualTo(new RbacRules.Decision(true, "reads"));
        assertThat(rules.evaluate(request(HttpMethod.POST, "/api/items"), from("10.1.2.3", 80)).allowed()).isFalse();
        assertThat(rules.evaluate(request(HttpMethod.GET, "/api/items"), from("192.168.1.1", 80)).allowed()).isFalse();
        assertThat(rules.evaluate(request(HttpMethod.DELETE, "/x", "x-role", "admin"), from("192.168.1.1", 80)))
                .isEqualTo(new RbacRules.Decision(true, "admin"));
        // no client certificate: an authenticated principal never matches
        RbacRules mtls = parse("""
                rules: { policies: { p: { permissions: [ { any: true } ], principals: [ { authenticated: {} } ] } } }
                """).rules();
        assertThat(mtls.evaluate(request(HttpMethod.GET, "/"), from("10.0.0.1", 80)).allowed()).isFalse();
    }

    @Test
    void denyRefusesWhatAPolicyMatchesAndNotOrAndPortsCompose() throws Exception {
        RbacRules rules = parse("""
                rules:
                  action: DENY
                  policies:
                    outside-on-admin-port:
                      permissions: [ { destination_port: 9901 } ]
                      principals: [ { not_id: { direct_remote_ip: 127.0.0.0/8 } } ]
                    no-debug:
                      permissions: [ { or_rules: { rules: [ { url_path: { path: { exact: /debug } } },
                                                            { not_rule: { header: { name: x-trace, present: true } } } ] } } ]
                      principals: [ { and_ids: { ids: [ { any: true }, { header: { name: x-internal, present: true, invert_match: true } } ] } } ]
                """).rules();
        assertThat(rules.evaluate(request(HttpMethod.GET, "/", "x-trace", "1"), from("192.0.2.1", 9901)))
                .isEqualTo(new RbacRules.Decision(false, "outside-on-admin-port"));
        assertThat(rules.evaluate(request(HttpMethod.GET, "/", "x-trace", "1"), from("127.0.0.1", 9901)).allowed()).isTrue();
        assertThat(rules.evaluate(request(HttpMethod.GET, "/debug", "x-trace", "1"), from("127.0.0.1", 80)))
                .isEqualTo(new RbacRules.Decision(false, "no-debug"));
        assertThat(rules.evaluate(request(HttpMethod.GET, "/ok"), from("127.0.0.1", 80)).allowed()).isFalse(); // no x-trace
        assertThat(rules.evaluate(request(HttpMethod.GET, "/ok", "x-internal", "1"), from("127.0.0.1", 80)).allowed())
                .isTrue();
    }

    @Test
    void aDeniedRequestIsAnswered403LocallyAndShadowRulesOnlyCount() throws Exception {
        RbacFilterFactory.Settings s = parse("""
                rules: { action: DENY, policies: { blocked: { permissions: [ { url_path: { path: { prefix: /blocked } } } ], principals: [ { any: true } ] } } }
                shadow_rules: { action: ALLOW, policies: { none: { permissions: [ { url_path: { path: { exact: /never } } } ], principals: [ { any: true } ] } } }
                """);
        long denied = s.stats().denied().sum();
        long shadowDenied = s.stats().shadowDenied().sum();
        Callbacks c = new Callbacks();
        RbacFilter f = new RbacFilter(s);
        f.setDecoderFilterCallbacks(c);
        assertThat(f.decodeHeaders(request(HttpMethod.GET, "/blocked/1"), true)).isEqualTo(FilterHeadersStatus.STOP_ITERATION);
        assertThat(c.status).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(c.body).isEqualTo("RBAC: access denied");
        assertThat(c.flag).isEqualTo(ResponseFlag.RBAC_ACCESS_DENIED);
        Callbacks ok = new Callbacks();
        f = new RbacFilter(s);
        f.setDecoderFilterCallbacks(ok);
        // the shadow policy would deny this one: it is only counted
        assertThat(f.decodeHeaders(request(HttpMethod.GET, "/open"), true)).isEqualTo(FilterHeadersStatus.CONTINUE);
        assertThat(ok.status).isNull();
        assertThat(s.stats().denied().sum()).isEqualTo(denied + 1);
        assertThat(s.stats().shadowDenied().sum()).isEqualTo(shadowDenied + 2);
    }

    @Test
    void mistakesAreLocated() {
        assertThat(errors("""
                rules:
                  action: MAYBE
                  policies:
                    p:
                      permissions: [ { any: true, header: { name: x } }, { destination_ip: { address_prefix: 10.0.0.300, prefix_len: 8 } } ]
                      principals: [ { metadata: { filter: jwt } }, { user: bob } ]
                """)).containsExactly(
                "r.yaml:3:13: rbac.rules.action: 'MAYBE' (expected: one of ALLOW, DENY)",
                "r.yaml:6:24: rbac.rules.policies.p.permissions[0]: expected exactly one of any, header, url_path, "
                        + "destination_port, destination_ip, and_rules, or_rules, not_rule (found: any, header)",
                "r.yaml:6:78: rbac.rules.policies.p.permissions[1].destination_ip: '10.0.0.300/8' (expected: an IP address "
                        + "prefix and a prefix_len that fits it)",
                "r.yaml:7:35: rbac.rules.policies.p.principals[0].metadata: missing required key 'path'",
                "r.yaml:7:35: rbac.rules.policies.p.principals[0].metadata: missing required key 'value'",
                "r.yaml:7:54: rbac.rules.policies.p.principals[1]: expected exactly one of any, authenticated, "
                        + "direct_remote_ip, remote_ip, header, metadata, and_ids, or_ids, not_id (found: user)");
    }

    @Test
    void metadataPrincipalsMatchTheClaimsJwtAuthnRecorded() throws Exception {
        RbacRules rules = parse("""
                rules:
                  action: ALLOW
                  policies:
                    admins:
                      permissions: [ { any: true } ]
                      principals:
                        - and_ids: { ids: [
                            { metadata: { filter: envoy.filters.http.jwt_authn, path: [ { key: payload }, { key: iss } ],
                                          value: { string_match: { exact: "https://idp.example" } } } },
                            { metadata: { filter: jwt_authn, path: [ { key: payload }, { key: groups } ],
                                          value: { list_match: { one_of: { string_match: { prefix: admin } } } } } },
                            { metadata: { filter: jwt_authn, path: [ { key: payload }, { key: banned } ],
                                          value: { present_match: true }, invert: true } } ] }
                """).rules();
        java.util.function.Function<Map<String, Object>, StreamInfo> withClaims = claims -> new StreamInfo() {
            @Override
            public java.net.SocketAddress downstreamRemoteAddress() {
                return new java.net.InetSocketAddress("127.0.0.1", 1);
            }

            @Override
            public String protocol() {
                return "HTTP/1.1";
            }

            @Override
            public String listenerName() {
                return "l";
            }

            @Override
            public Map<String, Object> dynamicMetadata(String namespace) {
                return namespace.equals("envoy.filters.http.jwt_authn") && claims != null ? Map.of("payload", claims) : Map.of();
            }
        };
        HttpRequest r = request(HttpMethod.GET, "/");
        assertThat(rules.evaluate(r, withClaims.apply(Map.of("iss", "https://idp.example", "groups",
                List.of("dev", "admin-eu"))))).isEqualTo(new RbacRules.Decision(true, "admins"));
        assertThat(rules.evaluate(r, withClaims.apply(Map.of("iss", "https://idp.example", "groups", List.of("dev"))))
                .allowed()).isFalse();
        assertThat(rules.evaluate(r, withClaims.apply(Map.of("iss", "https://other", "groups", List.of("admin"))))
                .allowed()).isFalse();
        assertThat(rules.evaluate(r, withClaims.apply(Map.of("iss", "https://idp.example", "groups", List.of("admin"),
                "banned", true))).allowed()).isFalse();
        assertThat(rules.evaluate(r, withClaims.apply(null)).allowed()).as("no verified token").isFalse();
    }

    private static final class Callbacks implements StreamDecoderFilterCallbacks {
        HttpResponseStatus status;
        String body;
        ResponseFlag flag;

        @Override
        public void continueDecoding() {
        }

        @Override
        public StreamInfo streamInfo() {
            return from("127.0.0.1", 80);
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modify) {
            this.status = status;
            this.body = body;
            this.flag = flag;
        }
    }
}
