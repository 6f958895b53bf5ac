package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consistent-hash routing, protocols and proxy headers, driven with curl over HTTP/1.1, h2c and h2c upgrade. */
class RoutingIT {
    static Origin a;
    static Origin b;
    static Origin c;
    static ProxyProcess proxy;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        a = new Origin("origin-a");
        b = new Origin("origin-b");
        c = new Origin("origin-c");
        proxy = ProxyProcess.start("routing", """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: main
                    address: 127.0.0.1:0
                    always_set_request_id_in_response: true
                    http_filters:
                      - name: headers
                        config:
                          request_headers_to_add: { x-added: yes-please }
                          request_headers_to_remove: [ x-secret ]
                          response_headers_to_set: { x-served-by: outrigger }
                    virtual_hosts:
                      - name: shop
                        domains: ["shop.local", "shop.local:*"]
                        routes:
                          - match: { prefix: /legacy/ }
                            route: { cluster: hashed, prefix_rewrite: /modern/, host_rewrite_literal: backend.internal }
                          - match: { prefix: / }
                            route:
                              cluster: hashed
                              hash_policy: [ { header: { header_name: x-user-id } } ]
                      - name: query
                        domains: ["query.local:*"]
                        routes:
                          - match: { prefix: / }
                            route: { cluster: hashed, hash_policy: [ { query_parameter: { name: user } } ] }
                clusters:
                  - name: hashed
                    lb_policy: ring_hash
                    endpoints: [ %s, %s, %s ]
                """.formatted(a.address(), b.address(), c.address()));
        base = "http://127.0.0.1:" + proxy.port("main");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
        c.close();
    }

    private static String originOf(String body) {
        return body.lines().findFirst().orElse("");
    }

    @Test
    void sameUserAlwaysReachesTheSameOriginOverEveryProtocol() throws Exception {
        Map<String, String> first = new HashMap<>();
        Set<String> used = new HashSet<>();
        for (String protocol : new String[] {"--http1.1", "--http2-prior-knowledge", "--http2"}) {
            for (int user = 0; user < 30; user++) {
                for (int i = 0; i < 3; i++) {
                    Cmd r = Cmd.curlRun(protocol, base + "/item", "-H", "Host: shop.local", "-H", "x-user-id: user-" + user);
                    assertThat(r.exit()).as(r.err()).isZero();
                    String origin = originOf(r.out());
                    assertThat(origin).startsWith("origin: origin-");
                    String was = first.putIfAbsent("user-" + user, origin);
                    if (was != null) {
                        assertThat(origin).as("user-%d over %s", user, protocol).isEqualTo(was);
                    }
                    used.add(origin);
                }
            }
        }
        assertThat(used).as("30 users spread over the 3 origins").hasSize(3);
    }

    @Test
    void queryParameterHashPolicy() throws Exception {
        String first = null;
        for (int i = 0; i < 5; i++) {
            Cmd r = Cmd.curlRun(base + "/q?user=zoe&i=" + i, "-H", "Host: query.local:80");
            String origin = originOf(r.out());
            first = first == null ? origin : first;
            assertThat(origin).isEqualTo(first);
        }
    }

    @Test
    void protocolsNegotiateAsRequested() throws Exception {
        Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version}", base + "/", "-H", "Host: shop.local");
        assertThat(h2.out()).isEqualTo("2");
        Cmd upgrade = Cmd.curlRun("--http2", "-o", "/dev/null", "-w", "%{http_version}", base + "/", "-H", "Host: shop.local");
        assertThat(upgrade.out()).isEqualTo("2");
        Cmd h1 = Cmd.curlRun("--http1.1", "-o", "/dev/null", "-w", "%{http_version}", base + "/", "-H", "Host: shop.local");
        assertThat(h1.out()).isEqualTo("1.1");
    }

    @Test
    void http10RequestsAreServedWithHttp10Responses() throws Exception {
        // served (not refused), forwarded upstream as HTTP/1.1, answered in HTTP/1.0
        Cmd r = Cmd.curlRun("--http1.0", "-i", base + "/h10", "-H", "Host: shop.local");
        assertThat(r.out()).startsWith("HTTP/1.0 200").contains("GET /h10");
    }

    @Test
    void forwardsProxyHeadersAndStripsHopByHop() throws Exception {
        Cmd r = Cmd.curlRun("-i", base + "/h", "-H", "Host: shop.local", "-H", "Connection: keep-alive, x-hop",
                "-H", "x-hop: 1", "-H", "Keep-Alive: timeout=5", "-H", "x-secret: s3cr3t", "-H", "x-forwarded-for: 10.9.9.9");
        String out = r.out().toLowerCase();
        assertThat(out).contains("x-served-by: outrigger");
        assertThat(out).contains("x-added: yes-please");
        assertThat(out).contains("x-forwarded-for: 10.9.9.9, 127.0.0.1");
        assertThat(out).contains("x-forwarded-proto: http");
        assertThat(out).containsPattern("x-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(out).doesNotContain("x-hop").doesNotContain("keep-alive: timeout").doesNotContain("x-secret");
        assertThat(out).doesNotContain("x-http2");

        Cmd kept = Cmd.curlRun("-i", base + "/h", "-H", "Host: shop.local", "-H", "x-request-id: given-id-1");
        assertThat(kept.out()).contains("x-request-id: given-id-1");
        // echoed in the response too (always_set_request_id_in_response), also on local replies
        assertThat(kept.out().lines().filter(l -> l.toLowerCase().startsWith("x-request-id: given-id-1")).count()).isEqualTo(2);
        Cmd notFound = Cmd.curlRun("-i", base + "/", "-H", "Host: elsewhere", "-H", "x-request-id: nf-1");
        assertThat(notFound.out()).contains("404").containsIgnoringCase("x-request-id: nf-1");
    }

    @Test
    void rewritesPrefixAndHost() throws Exception {
        Cmd r = Cmd.curlRun(base + "/legacy/items?id=3", "-H", "Host: shop.local");
        assertThat(r.out()).contains("GET /modern/items?id=3").contains("host: backend.internal");
    }

    @Test
    void unknownHostOrPathIsA404FromTheProxy() throws Exception {
        Cmd r = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", base + "/", "-H", "Host: elsewhere");
        assertThat(r.out()).isEqualTo("404");
        Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-w", " %{http_code}", base + "/x", "-H", "Host: nowhere");
        assertThat(h2.out()).contains("no route for /x").endsWith(" 404");
    }

    @Test
    void accessLogHasOneLinePerRequest() throws Exception {
        Cmd.curlRun(base + "/logged-once", "-H", "Host: shop.local", "-H", "x-request-id: log-me-1");
        // the access log is asynchronous: poll the file for the line
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!proxy.logText().contains("log-me-1") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String line = proxy.logText().lines().filter(l -> l.contains("log-me-1")).findFirst().orElseThrow();
        assertThat(line).contains("\"GET /logged-once HTTP/1.1\" 200 - 0 ").contains("\"shop.local\"").contains("\"127.0.0.1:");
        assertThat(proxy.logText().lines().filter(l -> l.contains("log-me-1")).count()).isEqualTo(1);
    }
}
