package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * local_ratelimit through the jar with curl: the listener's bucket, a route's own bucket and a route that turns the
 * filter off ({@code typed_per_filter_config}), a bucket per header value, the 429 with its headers, the access-log
 * flag and the counters. Buckets refill once an hour here, so bursts are counted exactly, without timing.
 */
class RateLimitIT {
    private static final String CONFIG = """
            admin: { address: 127.0.0.1:0 }
            listeners:
              - name: main
                address: 127.0.0.1:0
                access_log: [ { format: json } ]
                http_filters:
                  - name: local_ratelimit
                    config:
                      stat_prefix: main_limiter
                      token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: 1h }
                      descriptors:
                        - { request_headers: { header_name: x-user-id }, token_bucket: { max_tokens: 2, fill_interval: 1h } }
                      enable_x_ratelimit_headers: DRAFT_VERSION_03
                virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                      - match: { prefix: /strict }
                        route: { cluster: o }
                        typed_per_filter_config:
                          local_ratelimit: { stat_prefix: strict_limiter, token_bucket: { max_tokens: 1, fill_interval: 1h } }
                      - match: { prefix: /health }
                        route: { cluster: o }
                        typed_per_filter_config: { local_ratelimit: { disabled: true } }
                      - { match: { prefix: / }, route: { cluster: o } }
            clusters:
              - { name: o, endpoints: [ %s ] }
            """;

    private static List<String> statuses(String url, int n, String... headers) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> args = new ArrayList<>(List.of("-s", "-o", "/dev/null", "-w", "%{http_code}"));
            for (String h : headers) {
                args.add("-H");
                args.add(h);
            }
            args.add(url);
            out.add(Cmd.curlRun(args.toArray(new String[0])).out());
        }
        return out;
    }

    @Test
    void listenerRouteAndDescriptorBucketsAnswer429WithTheirHeaders() throws Exception {
        try (Origin o = new Origin("o"); ProxyProcess p = ProxyProcess.start("ratelimit", CONFIG.formatted(o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            assertThat(statuses(base + "/a", 6)).containsExactly("200", "200", "200", "200", "200", "429");
            Cmd limited = Cmd.curlRun("-s", "-i", base + "/a");
            assertThat(limited.out()).startsWith("HTTP/1.1 429").containsIgnoringCase("retry-after: ")
                    .containsIgnoringCase("x-ratelimit-limit: 5").containsIgnoringCase("x-ratelimit-remaining: 0")
                    .contains("local_rate_limited");
            // the route's own bucket, and a route where the filter is off
            assertThat(statuses(base + "/strict", 2)).containsExactly("200", "429");
            assertThat(statuses(base + "/health", 10)).allMatch("200"::equals);
            // a bucket per x-user-id value
            assertThat(statuses(base + "/u", 3, "x-user-id: alice")).containsExactly("200", "200", "429");
            assertThat(statuses(base + "/u", 1, "x-user-id: bob")).containsExactly("200");
            TlsIT.waitUntil(() -> p.logText().contains("\"response_code\":429,\"response_flags\":\"RL\""));
            assertThat(o.requests.get()).as("nothing limited reached the origin").isEqualTo(5 + 1 + 10 + 2 + 1);
            assertThat(p.stat("main_limiter.http_local_rate_limit.rate_limited")).isEqualTo(3); // /a twice, alice once
            assertThat(p.stat("strict_limiter.http_local_rate_limit.rate_limited")).isEqualTo(1);
            assertThat(p.adminGet("/stats/prometheus").body()).contains(
                    "outrigger_http_filter_events_total{stat=\"main_limiter.http_local_rate_limit.ok\"} 8.0");
        }
    }

    @Test
    void aPerFilterEntryForAFilterTheListenerDoesNotHaveIsALocatedError() throws Exception {
        Path bad = CliIT.write("ratelimit-bad.yaml", CONFIG.formatted("127.0.0.1:9")
                .replace("typed_per_filter_config: { local_ratelimit: { disabled: true } }",
                        "typed_per_filter_config: { cors: { disabled: true } }")
                .replace("token_bucket: { max_tokens: 1, fill_interval: 1h }", "token_bucket: { max_tokens: 0, fill_interval: 1h }"));
        Cmd validate = CliIT.outrigger("validate", "-c", bad.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.err()).contains(bad + ":21:91: listeners[0].virtual_hosts[0].routes[0].typed_per_filter_config"
                        + ".local_ratelimit.token_bucket.max_tokens: '0' (expected: an integer between 1 and 2147483647)",
                bad + ":24:46: listeners[0].virtual_hosts[0].routes[1].typed_per_filter_config.cors: no filter 'cors' in this "
                        + "listener's http_filters (it has: local_ratelimit)");
    }
}
