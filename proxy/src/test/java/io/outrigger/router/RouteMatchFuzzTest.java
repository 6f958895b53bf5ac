package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import java.net.InetSocketAddress;

/**
 * Fuzzes route matching (virtual host by {@code Host}, prefix, path, regex and header matchers) and hash-key
 * extraction (header, cookie, query parameter, source IP) with arbitrary request targets, hosts and header values:
 * no exception, and both are deterministic (the same request always gets the same route and key).
 */
class RouteMatchFuzzTest {
    static final RouteTable TABLE;

    static {
        try {
            OutriggerConfig c = new ConfigLoader(n -> null).load("fuzz.yaml", """
                    listeners:
                      - name: l
                        address: 127.0.0.1:1
                        virtual_hosts:
                          - name: api
                            domains: ["api.example", "*.api.example", "api-*", "[::1]:8080"]
                            routes:
                              - match: { prefix: /v1/, headers: [ { name: x-canary, exact: "1" } ] }
                                route: { cluster: c, hash_policy: [ { header: { header_name: x-user } } ] }
                              - match: { safe_regex: "^/items/[0-9]+$" }
                                route: { cluster: c, hash_policy: [ { cookie: { name: sid } }, { connection_properties: { source_ip: true } } ] }
                              - match: { path: /exact }
                                route: { cluster: c, hash_policy: [ { query_parameter: { name: k } } ] }
                              - match: { prefix: / }
                                route: { cluster: c }
                          - name: any
                            domains: ["*"]
                            routes: [ { match: { prefix: / }, route: { cluster: c } } ]
                    clusters: [ { name: c, endpoints: [ 127.0.0.1:2 ] } ]
                    """);
            TABLE = RouteTable.build(c.listeners().get(0));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anyRequestGetsADeterministicRouteAndHashKey(FuzzedDataProvider data) {
        DefaultHttpHeaders h = new DefaultHttpHeaders(false);
        h.add("host", data.consumeString(40));
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            h.add(data.pickValue(new String[] {"x-canary", "x-user", "cookie", "x-other"}), data.consumeString(60));
        }
        HttpMethod method = data.consumeBoolean() ? HttpMethod.GET : HttpMethod.CONNECT;
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/", h);
        try {
            r.setUri(data.consumeRemainingAsString()); // any target, even one the codecs refuse: the router must cope
        } catch (IllegalArgumentException e) {
            return; // Netty's request refuses it (whitespace, CR/LF): no request object can carry it to the router
        }
        RouteEntry first = TABLE.route(r);
        assertThat(TABLE.route(r)).isSameAs(first);
        if (first != null && first.forward() != null) {
            InetSocketAddress peer = new InetSocketAddress("10.1.2.3", 5555);
            long[] a = new long[1];
            long[] b = new long[1];
            boolean hasA = HashKey.compute(first.forward().hashPolicy(), r, peer, a);
            boolean hasB = HashKey.compute(first.forward().hashPolicy(), r, peer, b);
            assertThat(hasB).isEqualTo(hasA);
            assertThat(b[0]).isEqualTo(a[0]);
        }
    }
}
