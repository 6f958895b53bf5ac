package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigWarningsTest {
    private static List<String> warnings(String routes, String clusters) throws ConfigException {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:0
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                """ + routes.indent(10) + "clusters:\n" + clusters.indent(2);
        return new ConfigLoader(n -> null).load("w.yaml", yaml).warnings().stream().map(ConfigError::toString).toList();
    }

    private static final String CLUSTERS = """
            - { name: rr, endpoints: [ 127.0.0.1:1 ] }
            - { name: ring, lb_policy: ring_hash, endpoints: [ 127.0.0.1:1, 127.0.0.1:2 ] }
            """;

    @Test
    void shadowedRoutesAreLocatedWarnings() throws Exception {
        assertThat(warnings("""
                - match: { prefix: /api/ }
                  route: { cluster: rr }
                - match: { path: /api/x, headers: [ { name: a } ] }
                  route: { cluster: rr }
                - match: { prefix: /API/, case_sensitive: false }
                  route: { cluster: rr }
                - match: { prefix: /Api/v2 }
                  route: { cluster: rr }
                - match: { path: /exact }
                  route: { cluster: rr }
                - match: { path: /exact }
                  route: { cluster: rr }
                """, CLUSTERS)).containsExactly(
                "w.yaml:10:13: listeners[0].virtual_hosts[0].routes[1]: this route can never match: routes[0] (line 8) "
                        + "before it matches every request it would (first match wins)",
                "w.yaml:14:13: listeners[0].virtual_hosts[0].routes[3]: this route can never match: routes[2] (line 12) "
                        + "before it matches every request it would (first match wins)",
                "w.yaml:18:13: listeners[0].virtual_hosts[0].routes[5]: this route can never match: routes[4] (line 16) "
                        + "before it matches every request it would (first match wins)");
    }

    @Test
    void routesThatCanStillMatchAreNotWarnedAbout() throws Exception {
        assertThat(warnings("""
                - match: { prefix: /api/, headers: [ { name: x-canary } ] }
                  route: { cluster: rr }
                - match: { prefix: /api/ }
                  route: { cluster: rr }
                - match: { prefix: /b/, query_parameters: [ { name: q, present_match: true } ] }
                  route: { cluster: rr }
                - match: { prefix: /b/c }
                  route: { cluster: rr }
                - match: { prefix: /d/ }
                  route: { cluster: rr }
                - match: { prefix: /d/, case_sensitive: false }
                  route: { cluster: rr }
                - match: { safe_regex: "/.*" }
                  route: { cluster: rr }
                - match: { prefix: /e }
                  route: { cluster: ring, hash_policy: [ { header: { header_name: x-user } } ] }
                """, CLUSTERS)).isEmpty();
    }

    @Test
    void hashPolicyOnANonHashingClusterAndASmallRing() throws Exception {
        assertThat(warnings("""
                - match: { prefix: /a }
                  route: { cluster: rr, hash_policy: [ { header: { header_name: x-user } } ] }
                - match: { prefix: /b }
                  route: { weighted_clusters: { clusters: [ { name: rr }, { name: ring } ] }, hash_policy: [ { source_ip: true } ] }
                """, """
                - { name: rr, endpoints: [ 127.0.0.1:1 ] }
                - name: ring
                  lb_policy: ring_hash
                  ring_hash: { minimum_ring_size: 10, maximum_ring_size: 100 }
                  endpoints: [ { address: 127.0.0.1:1, weight: 1 }, { address: 127.0.0.1:2, weight: 5 } ]
                """)).containsExactly(
                "w.yaml:8:13: listeners[0].virtual_hosts[0].routes[0]: hash_policy has no effect: cluster rr uses "
                        + "lb_policy round_robin (hashing needs ring_hash or maglev)",
                "w.yaml:14:5: clusters[1]: ring too small for its hosts' weights: the lightest host gets 16 ring entries, "
                        + "so its share of keys can be off by about 25% (raise ring_hash.maximum_ring_size to 384)");
    }
}
