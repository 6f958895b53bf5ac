package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /stats/prometheus} read by a real Prometheus parser (the official Python client's, from Debian's
 * python3-prometheus-client) after known traffic, with exact counts.
 */
class PrometheusIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Sample(String family, String type, String help, String name, Map<String, String> labels, double value) {
    }

    static List<Sample> parse(String exposition) throws Exception {
        Path script = Files.createTempFile("prom_samples", ".py");
        try (InputStream in = PrometheusIT.class.getResourceAsStream("/prom_samples.py")) {
            Files.write(script, in.readAllBytes());
        }
        Cmd.require("/usr/bin/python3");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(false).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Files.delete(script);
        assertThat(p.exitValue()).as("the parser rejected the exposition: %s", err).isZero();
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                samples.add(new Sample(n.get("family").asText(), n.get("type").asText(), n.get("help").asText(),
                        n.get("name").asText(), JSON.convertValue(n.get("labels"), Map.class), n.get("value").asDouble()));
            }
        }
        return samples;
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> m = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        assertThat(m).as("%s%s in %s", name, labels, samples.stream().filter(s -> s.name().equals(name)).toList()).hasSize(1);
        return m.get(0).value();
    }

    private static void get(String... curlArgs) throws Exception {
        Cmd c = Cmd.curlRun(curlArgs);
        assertThat(c.exit()).as(c.err()).isZero();
    }

    @Test
    void exactCountsAfterKnownTraffic() throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("prometheus", ProxyProcess.mainListenerConfig(
                     "- { match: { prefix: /app/ }, route: { cluster: o } }\n",
                     "- { name: o, endpoints: [ " + o.address() + " ] }"))) {
            String base = "http://127.0.0.1:" + proxy.port("main");
            for (int i = 0; i < 7; i++) {
                get("--http1.1", base + "/app/ok");                              // 7 x HTTP/1.1 200
            }
            for (int i = 0; i < 3; i++) {
                get("--http2-prior-knowledge", base + "/app/ok");               // 3 x HTTP/2 200
            }
            for (int i = 0; i < 2; i++) {
                get("--http1.1", "-H", "x-fail-on: all", base + "/app/fail");   // 2 x HTTP/1.1 503 from the origin
            }
            get("--http1.1", base + "/elsewhere");                               // 1 x HTTP/1.1 404 (no route)

            String body = proxy.adminGet("/stats/prometheus").body();
            List<Sample> s = parse(body);
            Map<String, String> main = Map.of("listener", "main");
            assertThat(value(s, "outrigger_downstream_rq_total", Map.of("listener", "main", "protocol", "HTTP/1.1",
                    "response_code_class", "2xx"))).isEqualTo(7);
            assertThat(value(s, "outrigger_downstream_rq_total", Map.of("listener", "main", "protocol", "HTTP/2",
                    "response_code_class", "2xx"))).isEqualTo(3);
            assertThat(value(s, "outrigger_downstream_rq_total", Map.of("listener", "main", "protocol", "HTTP/1.1",
                    "response_code_class", "5xx"))).isEqualTo(2);
            assertThat(value(s, "outrigger_downstream_rq_total", Map.of("listener", "main", "protocol", "HTTP/1.1",
                    "response_code_class", "4xx"))).isEqualTo(1);
            assertThat(value(s, "outrigger_downstream_cx_total", main)).isEqualTo(13); // curl: one connection each
            assertThat(value(s, "outrigger_downstream_rq_time_seconds_count", main)).isEqualTo(13);
            assertThat(value(s, "outrigger_downstream_rq_time_seconds_bucket", Map.of("listener", "main", "le", "+Inf")))
                    .isEqualTo(13);
            assertThat(value(s, "outrigger_downstream_rq_time_seconds_sum", main)).isPositive();
            Map<String, String> cluster = Map.of("cluster", "o");
            assertThat(value(s, "outrigger_upstream_rq_total", Map.of("cluster", "o", "response_code_class", "2xx"))).isEqualTo(10);
            assertThat(value(s, "outrigger_upstream_rq_total", Map.of("cluster", "o", "response_code_class", "5xx"))).isEqualTo(2);
            assertThat(value(s, "outrigger_upstream_rq_time_seconds_count", cluster)).isEqualTo(12);
            assertThat(value(s, "outrigger_cluster_upstream_rq_total", cluster)).isEqualTo(12);
            assertThat(value(s, "outrigger_cluster_upstream_rq_retry_total", cluster)).isZero();
            assertThat(value(s, "outrigger_cluster_upstream_rq_pending_overflow_total", cluster)).isZero();
            assertThat(value(s, "outrigger_cluster_membership_healthy", cluster)).isEqualTo(1);
            assertThat(value(s, "outrigger_cluster_membership_total", cluster)).isEqualTo(1);
            assertThat(value(s, "outrigger_cluster_upstream_rq_active", cluster)).isZero();
            assertThat(value(s, "outrigger_cluster_upstream_rq_pending_active", cluster)).isZero();
            // the pooled connection(s) went back to the pool: every open one is idle now
            assertThat(value(s, "outrigger_cluster_upstream_cx_idle", cluster))
                    .isEqualTo(value(s, "outrigger_cluster_upstream_cx_active", cluster)).isPositive();
            assertThat(value(s, "outrigger_tracing_spans_dropped_total", Map.of())).isZero();

            // naming: one prefix, snake_case, a HELP text per family; counters end in _total, histograms in _seconds
            assertThat(s).allSatisfy(x -> {
                assertThat(x.name()).matches("outrigger_[a-z0-9_]+");
                assertThat(x.help()).isNotBlank();
                assertThat(x.labels().keySet()).allSatisfy(l -> assertThat(l).matches("[a-z_]+"));
                if (x.type().equals("counter")) {
                    assertThat(x.name()).endsWith("_total");
                }
                if (x.type().equals("histogram")) {
                    assertThat(x.family()).endsWith("_seconds");
                }
            });
            // buckets are cumulative
            List<Double> buckets = s.stream().filter(x -> x.name().equals("outrigger_downstream_rq_time_seconds_bucket"))
                    .map(Sample::value).toList();
            assertThat(buckets).isSorted().hasSizeGreaterThan(10);
        }
    }
}
