package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The route index against the scan it replaces: for random virtual hosts (prefix, path, regex, case-insensitive and
 * CONNECT routes, some with header and query conditions, over a 4-letter alphabet so that paths share prefixes) and
 * random requests, both pick the same route.
 */
class RouteIndexTest {
    private static final String ALPHABET = "/abA";

    @Test
    void picksTheSameRouteAsAScanOfEveryRoute() throws Exception {
        SplittableRandom random = new SplittableRandom(20261130);
        int routed = 0;
        int decidedByACondition = 0;
        for (int host = 0; host < 200; host++) {
            VirtualHost vh = randomVirtualHost(random, 5 + random.nextInt(40));
            RouteIndex index = new RouteIndex(vh.routes());
            for (int q = 0; q < 200; q++) {
                String path = "/" + word(random, random.nextInt(8));
                String uri = path + (random.nextBoolean() ? "?k=" + random.nextInt(3) : "");
                HttpHeaders headers = new DefaultHttpHeaders();
                if (random.nextBoolean()) {
                    headers.add("x-canary", "1");
                }
                boolean connect = random.nextInt(20) == 0;
                RouteEntry scanned = vh.scan(path, uri, headers, connect);
                assertThat(index.route(path, uri, headers, connect)).as("%s %s in %s", path, headers, vh.routes())
                        .isSameAs(scanned);
                if (scanned != null) {
                    routed++;
                    if (!scanned.match().headers().isEmpty() || !scanned.match().queryParameters().isEmpty()) {
                        decidedByACondition++;
                    }
                }
            }
        }
        // the random hosts exercise both outcomes and the conditions beyond the path
        assertThat(routed).isBetween(10_000, 39_000);
        assertThat(decidedByACondition).isGreaterThan(1_000);
    }

    @Test
    void anEarlierRouteOutsideTheTrieWinsOverALaterIndexedOne() throws Exception {
        VirtualHost vh = virtualHost("""
                - { match: { prefix: /API, case_sensitive: false }, route: { cluster: nocase } }
                - { match: { safe_regex: "/api/[0-9]+" }, route: { cluster: regex } }
                - { match: { path: /api/7 }, route: { cluster: exact } }
                - { match: { prefix: /api/ }, route: { cluster: prefix } }
                - { match: { prefix: /b }, route: { cluster: b } }
                - { match: { prefix: / }, route: { cluster: any } }
                """);
        RouteIndex index = new RouteIndex(vh.routes());
        HttpHeaders none = new DefaultHttpHeaders();
        assertThat(cluster(index.route("/api/7", "/api/7", none, false))).isEqualTo("nocase");
        assertThat(cluster(index.route("/b/7", "/b/7", none, false))).isEqualTo("b");
        assertThat(cluster(index.route("/c", "/c", none, false))).isEqualTo("any");
        assertThat(index.route("/c", "/c", none, true)).isNull(); // CONNECT matches connect_matcher routes only
    }

    private static String cluster(RouteEntry e) {
        return e.forward().cluster();
    }

    private static VirtualHost randomVirtualHost(SplittableRandom random, int routes) throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < routes; i++) {
            String p = "/" + word(random, random.nextInt(5));
            String match = switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> "prefix: \"" + p + "\"";
                case 4, 5 -> "path: \"" + p + "\"";
                case 6 -> "safe_regex: \"" + p.replace("a", "[ab]") + ".*\"";
                case 7 -> "prefix: \"" + p + "\", case_sensitive: false";
                case 8 -> "path: \"" + p + "\", case_sensitive: false";
                default -> "connect_matcher: {}";
            };
            if (random.nextInt(4) == 0) {
                match += ", headers: [ { name: x-canary, exact: \"1\" } ]";
            } else if (random.nextInt(6) == 0) {
                match += ", query_parameters: [ { name: k, string_match: { exact: \"1\" } } ]";
            }
            yaml.append("- { match: { ").append(match).append(" }, route: { cluster: c").append(i % 3).append(" } }\n");
        }
        return virtualHost(yaml.toString());
    }

    private static VirtualHost virtualHost(String routes) throws Exception {
        String yaml = "listeners:\n  - name: l\n    address: 127.0.0.1:0\n    virtual_hosts:\n"
                + "      - name: v\n        domains: [\"*\"]\n        routes:\n"
                + routes.indent(10)
                + "clusters:\n"
                + "  - { name: c0, endpoints: [ 127.0.0.1:1 ] }\n  - { name: c1, endpoints: [ 127.0.0.1:1 ] }\n"
                + "  - { name: c2, endpoints: [ 127.0.0.1:1 ] }\n  - { name: nocase, endpoints: [ 127.0.0.1:1 ] }\n"
                + "  - { name: regex, endpoints: [ 127.0.0.1:1 ] }\n  - { name: exact, endpoints: [ 127.0.0.1:1 ] }\n"
                + "  - { name: prefix, endpoints: [ 127.0.0.1:1 ] }\n  - { name: b, endpoints: [ 127.0.0.1:1 ] }\n"
                + "  - { name: any, endpoints: [ 127.0.0.1:1 ] }\n";
        OutriggerConfig c = new ConfigLoader(n -> null).load("index.yaml", yaml);
        return RouteTable.build(c.listeners().get(0)).virtualHost("anything");
    }

    private static String word(SplittableRandom random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
