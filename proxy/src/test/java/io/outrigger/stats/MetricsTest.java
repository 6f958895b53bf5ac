package io.outrigger.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.tracing.Tracing;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void namesAndLabelsFollowPrometheusAndEnvoyConventions() {
        Metrics m = new Metrics();
        m.registerTracing(Tracing.DISABLED);
        Metrics.ListenerMetrics l = m.listener("ingress");
        l.onConnectionOpened();
        l.onStream("HTTP/2", 204, 1_500_000);
        l.onStream("HTTP/1.1", 0, 2_000_000); // no response: class 0xx
        l.onStream("HTTP/1.1", 503, 3_000_000);
        String text = m.scrape();
        List<String> samples = Arrays.stream(text.split("\n")).filter(s -> !s.startsWith("#")).toList();
        assertThat(samples).contains(
                "outrigger_downstream_cx_total{listener=\"ingress\"} 1.0",
                "outrigger_downstream_cx_active{listener=\"ingress\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/2\",response_code_class=\"2xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/1.1\",response_code_class=\"0xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/1.1\",response_code_class=\"5xx\"} 1.0",
                "outrigger_downstream_rq_time_seconds_count{listener=\"ingress\"} 3",
                "outrigger_downstream_rq_time_seconds_bucket{listener=\"ingress\",le=\"0.0025\"} 2",
                "outrigger_tracing_spans_sent_total 0.0");
        assertThat(samples).allSatisfy(s -> assertThat(s).matches("outrigger_[a-z0-9_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? \\S+"));
        // every family says what it is
        assertThat(text).contains("# TYPE outrigger_downstream_rq_total counter",
                "# TYPE outrigger_downstream_rq_time_seconds histogram", "# HELP outrigger_downstream_cx_active ");
    }

    @Test
    void activityWindowGivesRatesAndPercentiles() {
        Activity a = new Activity();
        long t0 = 1_000_000_000L;
        a.tick(t0);
        for (int i = 1; i <= 100; i++) {
            a.record(i > 90, i * 1_000_000L); // 1..100 ms; the slowest ten are errors
        }
        a.tick(t0 + 2_000_000_000L); // two seconds later
        Activity.Snapshot s = a.snapshot();
        assertThat(s.requests()).isEqualTo(100);
        assertThat(s.errors()).isEqualTo(10);
        assertThat(s.rate()).isEqualTo(50.0);
        assertThat(s.errorRate()).isEqualTo(5.0);
        // HdrHistogram with 2 significant digits: within 1%
        assertThat(s.p50Ms()).isBetween(49.5, 50.5);
        assertThat(s.p90Ms()).isBetween(89.5, 90.5);
        assertThat(s.p99Ms()).isBetween(98.5, 99.5);
        assertThat(s.maxMs()).isBetween(99.5, 100.5);
        // after the window has passed with no traffic, the rate and percentiles go back to zero
        for (int i = 1; i <= Activity.WINDOW_TICKS; i++) {
            a.tick(t0 + (2 + i) * 1_000_000_000L);
        }
        assertThat(a.snapshot().rate()).isZero();
        assertThat(a.snapshot().p99Ms()).isZero();
        assertThat(a.snapshot().requests()).isEqualTo(100);
    }
}
