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
        l.onStream("HTTP/3", 200, 1_000_000);
        l.onStream("HTTP/1.0", 200, 1_000_000);
        String text = m.scrape();
        List<String> samples = Arrays.stream(text.split("\n")).filter(s -> !s.startsWith("#")).toList();
        assertThat(samples).contains(
                "outrigger_downstream_cx_total{listener=\"ingress\"} 1.0",
                "outrigger_downstream_cx_active{listener=\"ingress\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/2\",response_code_class=\"2xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/1.1\",response_code_class=\"0xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/1.1\",response_code_class=\"5xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/3\",response_code_class=\"2xx\"} 1.0",
                "outrigger_downstream_rq_total{listener=\"ingress\",protocol=\"HTTP/1.0\",response_code_class=\"2xx\"} 1.0",
                "outrigger_downstream_rq_time_seconds_count{listener=\"ingress\"} 5",
                "outrigger_downstream_rq_time_seconds_bucket{listener=\"ingress\",le=\"0.0025\"} 4",
                "outrigger_tracing_spans_sent_total 0.0");
        assertThat(samples).allSatisfy(s -> assertThat(s).matches("outrigger_[a-z0-9_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? \\S+"));
        // every family says what it is
        assertThat(text).contains("# TYPE outrigger_downstream_rq_total counter",
                "# TYPE outrigger_downstream_rq_time_seconds histogram", "# HELP outrigger_downstream_cx_active ");
    }

    @Test
    void activityWindowGivesRatesAndPercentiles() {
        Activity a = new Activity();
        org.HdrHistogram.Histogram scratch = Activity.newScratch();
        long t0 = 1_000_000_000L;
        a.tick(t0, scratch);
        for (int i = 1; i <= 100; i++) {
            a.record(i > 90, i * 1_000_000L); // 1..100 ms; the slowest ten are errors
        }
        a.tick(t0 + 2_000_000_000L, scratch); // two seconds later
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
            a.tick(t0 + (2 + i) * 1_000_000_000L, scratch);
        }
        assertThat(a.snapshot().rate()).isZero();
        assertThat(a.snapshot().p99Ms()).isZero();
        assertThat(a.snapshot().requests()).isEqualTo(100);
    }

    @Test
    void theWindowSlidesWhetherOrNotItIsReadBetweenTicks() {
        Activity read = new Activity();
        Activity unread = new Activity();
        org.HdrHistogram.Histogram scratch = Activity.newScratch();
        long second = 1_000_000_000L;
        for (Activity a : new Activity[] {read, unread}) {
            a.tick(0, scratch);
            for (int i = 0; i < 50; i++) {
                a.record(false, 10_000_000L); // 10 ms, in second 1
            }
        }
        for (int t = 1; t <= Activity.WINDOW_TICKS + 3; t++) {
            if (t == 5) {
                for (Activity a : new Activity[] {read, unread}) {
                    for (int i = 0; i < 50; i++) {
                        a.record(true, 200_000_000L); // 200 ms errors, in second 5
                    }
                }
            }
            read.tick(t * second, scratch);
            unread.tick(t * second, scratch);
            Activity.Snapshot s = read.snapshot();
            if (t < 5) {
                assertThat(s.p99Ms()).as("tick %d", t).isBetween(9.9, 10.1);
            } else if (t <= Activity.WINDOW_TICKS) {
                assertThat(s.p50Ms()).as("tick %d", t).isBetween(9.9, 10.1);
                assertThat(s.p99Ms()).as("tick %d", t).isBetween(198.0, 202.0);
            } else {
                // second 1 has left the 10-second window; second 5 is still in it until tick 15
                assertThat(s.p50Ms()).as("tick %d", t).isBetween(198.0, 202.0);
            }
        }
        assertThat(unread.snapshot()).isEqualTo(read.snapshot());
        assertThat(unread.snapshot().requests()).isEqualTo(100);
        assertThat(unread.snapshot().errors()).isEqualTo(50);
        assertThat(unread.snapshot().rate()).isEqualTo(5.0); // the 50 of second 5 over the last 10 s
        assertThat(unread.snapshot().errorRate()).isEqualTo(5.0);
    }
}
