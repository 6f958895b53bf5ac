package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The health_check filter through the jar: answered here, cluster minimums, pass-through, and failing while drained. */
class HealthCheckFilterIT {
    private static final String LISTENER = """
              - name: %s
                address: 127.0.0.1:0
                access_log: []
                http_filters:
                  - name: health_check
                    config:
                      pass_through_mode: %s
                      headers: [ { name: ":path", string_match: { exact: /healthz } } ]
                      cluster_min_healthy_percentages: { app: { value: %s } }
                virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: app } } ] } ]
            """;

    private static String code(String url) throws Exception {
        return Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", url).out();
    }

    @Test
    void healthChecksAreAnsweredHereFromClusterHealthAndFailWhileTheServerIsFailed() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort(); // nothing listens there: its health checks fail
        }
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("health-check-filter", "admin: { address: 127.0.0.1:0 }\nlisteners:\n"
                     + LISTENER.formatted("strict", "false", "100") + LISTENER.formatted("lenient", "false", "50")
                     + LISTENER.formatted("passing", "true", "0")
                     + "clusters:\n  - { name: app, endpoints: [ " + o.address() + ", 127.0.0.1:" + dead + " ],"
                     + " health_check: { path: /healthz, interval: 100ms, unhealthy_threshold: 1 } }\n")) {
            String strict = "http://127.0.0.1:" + p.port("strict");
            String lenient = "http://127.0.0.1:" + p.port("lenient");
            String passing = "http://127.0.0.1:" + p.port("passing");
            TlsIT.waitUntil(() -> p.adminGet("/clusters").body().contains("127.0.0.1:" + dead + "::health_flags::/failed_active_hc"));
            assertThat(Cmd.curlRun("-s", "-w", " %{http_code}", strict + "/healthz").out())
                    .isEqualTo("cluster app has 50% healthy hosts\n 503");
            Cmd ok = Cmd.curlRun("-s", "-i", lenient + "/healthz");
            assertThat(ok.out()).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: 0");
            assertThat(code(lenient + "/healthz?probe=1")).as(":path is the path without the query").isEqualTo("200");
            assertThat(code(lenient + "/other")).as("other paths go to the app").isEqualTo("200");
            assertThat(code(passing + "/healthz")).as("pass-through: the app answers").isEqualTo("200");

            // an operator fails the server (what a drain does too): every health check is 503, none goes upstream
            assertThat(AdminIT.post(p, "/healthcheck/fail").statusCode()).isEqualTo(200);
            assertThat(code(lenient + "/healthz")).isEqualTo("503");
            assertThat(code(passing + "/healthz")).isEqualTo("503");
            assertThat(AdminIT.post(p, "/healthcheck/ok").statusCode()).isEqualTo(200);
            assertThat(code(lenient + "/healthz")).isEqualTo("200");
            assertThat(p.stat("health_check.request_total")).isEqualTo(7);
            assertThat(p.stat("health_check.failed")).isEqualTo(3);
            assertThat(p.stat("health_check.ok")).isEqualTo(3);
        }
    }
}
