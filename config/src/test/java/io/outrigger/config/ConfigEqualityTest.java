package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A reload applies the difference between two configs, so the model's equality must mean "the same meaning":
 * comments, blank lines, flow or block style and key order change nothing; any value does.
 */
class ConfigEqualityTest {
    private static final String A = """
            admin: { address: 127.0.0.1:0 }
            listeners:
              - name: main
                address: 127.0.0.1:0
                http_filters: [ { name: headers, config: { request_headers_to_add: { x-env: prod, x-team: shop } } } ]
                virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                      - match: { safe_regex: "/items/[0-9]+", headers: [ { name: x-canary, exact: "1" } ] }
                        route: { cluster: web, timeout: 5s, retry_policy: { retry_on: [5xx], num_retries: 2 } }
            clusters:
              - { name: web, lb_policy: ring_hash, endpoints: [ 10.0.0.7:8080, { address: 10.0.0.8:8080, weight: 3 } ] }
            """;
    // the same meaning: block style, comments, other key order
    private static final String SAME = """
            # reformatted by a person with opinions
            clusters:
              - endpoints:
                  - 10.0.0.7:8080
                  - { weight: 3, address: 10.0.0.8:8080 }
                lb_policy: ring_hash
                name: web

            listeners:
              - address: 127.0.0.1:0
                name: main
                virtual_hosts:
                  - domains: ["*"]
                    name: all
                    routes:
                      - route: { timeout: 5s, cluster: web, retry_policy: { num_retries: 2, retry_on: [5xx] } }
                        match: { headers: [ { exact: "1", name: x-canary } ], safe_regex: "/items/[0-9]+" }
                http_filters:
                  - name: headers
                    config:
                      request_headers_to_add:
                        x-team: shop     # order of headers to add is not meaning
                        x-env: prod
            admin: { address: 127.0.0.1:0 }
            """;

    private static OutriggerConfig load(String yaml) throws Exception {
        return new ConfigLoader().load("test.yaml", yaml);
    }

    @Test
    void formattingCommentsAndKeyOrderChangeNothing() throws Exception {
        OutriggerConfig a = load(A);
        OutriggerConfig b = load(SAME);
        assertThat(b.listeners()).isEqualTo(a.listeners());
        assertThat(b.listeners().hashCode()).isEqualTo(a.listeners().hashCode());
        assertThat(b.clusters()).isEqualTo(a.clusters());
        assertThat(b.admin()).isEqualTo(a.admin());
    }

    @Test
    void anyValueChangesTheListenerOrTheCluster() throws Exception {
        OutriggerConfig a = load(A);
        assertThat(load(A.replace("x-team: shop", "x-team: shop2")).listeners()).isNotEqualTo(a.listeners());
        assertThat(load(A.replace("[0-9]+", "[0-9]*")).listeners()).isNotEqualTo(a.listeners());
        assertThat(load(A.replace("timeout: 5s", "timeout: 6s")).listeners()).isNotEqualTo(a.listeners());
        assertThat(load(A.replace("weight: 3", "weight: 4")).clusters()).isNotEqualTo(a.clusters());
        assertThat(load(A.replace("weight: 3", "weight: 4")).listeners()).isEqualTo(a.listeners());
    }

    @Test
    void theShippedExamplesEqualThemselvesLoadedTwice() throws Exception {
        for (String name : new String[] {"demo.yaml", "outrigger.yaml"}) {
            Path p = Path.of("..", "examples", name);
            String text = Files.readString(p);
            OutriggerConfig a = new ConfigLoader().load(name, text);
            OutriggerConfig b = new ConfigLoader().load(name, "# a comment\n\n" + text);
            assertThat(b.listeners()).as(name).isEqualTo(a.listeners());
            assertThat(b.clusters()).as(name).isEqualTo(a.clusters());
            assertThat(b.tracing()).as(name).isEqualTo(a.tracing());
            assertThat(b.overloadManager()).as(name).isEqualTo(a.overloadManager());
        }
    }
}
