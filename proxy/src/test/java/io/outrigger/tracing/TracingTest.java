package io.outrigger.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.outrigger.config.TracingConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";
    private static final InetSocketAddress HOST = new InetSocketAddress("127.0.0.1", 8080);

    private InMemorySpanExporter spans;

    private Tracing tracing(double sampling, TracingConfig.Propagation... out) {
        TracingConfig c = new TracingConfig(sampling, "svc", List.of(out.length == 0 ? new TracingConfig.Propagation[] {
                TracingConfig.Propagation.W3C} : out), TracingConfig.Log.STDOUT, 2048, 512, Duration.ofMillis(1), Duration.ofSeconds(1));
        spans = InMemorySpanExporter.create(); // closing a Tracing shuts its exporter down
        return new Tracing(c, spans);
    }

    private static HttpRequest request(String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/items?id=7");
        r.headers().set("host", "shop.local:8443").set("user-agent", "test/1");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    /** Runs one proxied exchange: server span, one client span per attempt, and returns the upstream headers. */
    private HttpHeaders exchange(Tracing t, HttpRequest r, boolean force, int attempts) {
        Span server = t.startServerSpan(r, "1.1", "https", new InetSocketAddress("10.1.2.3", 5555), "main", force);
        for (int i = 1; i <= attempts; i++) {
            Span client = t.startClientSpan(server, r, "shop", HOST, i);
            Tracing.endClientSpan(client, i < attempts ? 503 : 200, null);
        }
        t.endServerSpan(server, "GET", 200, "/api/", "rid-1", "shop", "127.0.0.1:8080", null);
        return r.headers();
    }

    // Trace flags: bit 0 sampled; bit 1 (W3C Trace Context Level 2) "random trace id", set by the SDK on new traces.
    private List<SpanData> finished(Tracing t) {
        t.flush();
        List<SpanData> done = spans.getFinishedSpanItems();
        t.close();
        return done;
    }

    @Test
    void w3cParentIsContinuedAndTheAttemptIsTheUpstreamParent() {
        Tracing t = tracing(0.0); // the sampled parent wins over the ratio
        HttpHeaders up = exchange(t, request("traceparent", "00-" + TRACE + "-" + PARENT + "-01", "tracestate", "vendor=abc"), false, 1);
        List<SpanData> done = finished(t);
        assertThat(done).hasSize(2);
        SpanData client = done.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        SpanData server = done.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(server.getTraceId()).isEqualTo(TRACE);
        assertThat(server.getParentSpanId()).isEqualTo(PARENT);
        assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(up.get("traceparent")).isEqualTo("00-" + TRACE + "-" + client.getSpanId() + "-01");
        assertThat(up.get("tracestate")).isEqualTo("vendor=abc");
        assertThat(server.getName()).isEqualTo("GET /api/");
        Map<String, Object> attrs = new java.util.HashMap<>();
        server.getAttributes().forEach((k, v) -> attrs.put(k.getKey(), v));
        assertThat(attrs).containsEntry("http.request.method", "GET").containsEntry("http.route", "/api/")
                .containsEntry("http.response.status_code", 200L).containsEntry("url.path", "/api/items")
                .containsEntry("url.query", "id=7").containsEntry("server.address", "shop.local")
                .containsEntry("server.port", 8443L).containsEntry("client.address", "10.1.2.3").containsEntry("client.port", 5555L)
                .containsEntry("network.protocol.version", "1.1").containsEntry("outrigger.upstream_cluster", "shop")
                .containsEntry("outrigger.request_id", "rid-1").containsEntry("url.scheme", "https");
        assertThat(server.getResource().getAttribute(io.opentelemetry.semconv.ServiceAttributes.SERVICE_NAME)).isEqualTo("svc");
    }

    @Test
    void retriesAreSiblingAttemptsWithNumbersAndErrors() {
        Tracing t = tracing(1.0);
        exchange(t, request(), false, 3);
        List<SpanData> done = finished(t);
        SpanData server = done.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        List<SpanData> clients = done.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        assertThat(clients).hasSize(3).allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(server.getSpanId()));
        assertThat(clients).extracting(c -> c.getAttributes().get(HttpSpanAttributes.ATTEMPT)).containsExactly(1L, 2L, 3L);
        assertThat(clients).extracting(c -> c.getAttributes().get(io.opentelemetry.semconv.HttpAttributes.HTTP_REQUEST_RESEND_COUNT))
                .containsExactly(null, 1L, 2L);
        assertThat(clients).extracting(c -> c.getStatus().getStatusCode())
                .containsExactly(StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET);
        assertThat(clients.get(0).getAttributes().get(io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE)).isEqualTo("503");
    }

    @Test
    void b3SingleAndMultiHeaderAreReadAndWritten() {
        Tracing single = tracing(1.0, TracingConfig.Propagation.B3);
        HttpHeaders up = exchange(single, request("b3", TRACE + "-" + PARENT + "-1"), false, 1);
        SpanData client = finished(single).stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(client.getTraceId()).isEqualTo(TRACE);
        assertThat(up.get("b3")).isEqualTo(TRACE + "-" + client.getSpanId() + "-1");
        assertThat(up.contains("traceparent")).isFalse();

        Tracing multi = tracing(1.0, TracingConfig.Propagation.B3_MULTI, TracingConfig.Propagation.W3C);
        up = exchange(multi, request("X-B3-TraceId", TRACE, "X-B3-SpanId", PARENT, "X-B3-Sampled", "1"), false, 1);
        List<SpanData> done = finished(multi);
        SpanData server = done.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        client = done.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        assertThat(server.getParentSpanId()).isEqualTo(PARENT);
        assertThat(up.get("x-b3-traceid")).isEqualTo(TRACE);
        assertThat(up.get("x-b3-spanid")).isEqualTo(client.getSpanId());
        assertThat(up.get("x-b3-sampled")).isEqualTo("1");
        assertThat(up.get("traceparent")).isEqualTo("00-" + TRACE + "-" + client.getSpanId() + "-01");
    }

    @Test
    void w3cWinsOverB3WhenACallerSendsBoth() {
        Tracing t = tracing(1.0);
        String b3Trace = "80f198ee56343ba864fe8b2a57d3eff7";
        HttpHeaders up = exchange(t, request("b3", b3Trace + "-e457b5a2e4d86bd1-1",
                "traceparent", "00-" + TRACE + "-" + PARENT + "-01"), false, 1);
        assertThat(up.get("traceparent")).startsWith("00-" + TRACE + "-");
        assertThat(up.contains("b3")).isFalse();
        assertThat(finished(t)).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(TRACE));
    }

    @Test
    void invalidTraceHeadersStartANewTraceAndAreNotForwarded() {
        String[][] bad = {
            {"traceparent", "00-" + TRACE + "-" + PARENT},                        // missing flags
            {"traceparent", "00-00000000000000000000000000000000-" + PARENT + "-01"}, // all-zero trace id
            {"traceparent", "zz-" + TRACE + "-" + PARENT + "-01"},
            {"traceparent", "00-" + TRACE.toUpperCase() + "-" + PARENT + "-01"},   // W3C ids are lower-case
            {"b3", "not-a-b3-header"},
            {"X-B3-TraceId", "xyz", "X-B3-SpanId", "1"},
        };
        Tracing t = tracing(1.0);
        for (String[] headers : bad) {
            HttpHeaders up = exchange(t, request(headers), false, 1);
            String tp = up.get("traceparent");
            assertThat(tp).as("%s", List.of(headers)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]").doesNotContain(TRACE);
            assertThat(up.contains("b3") || up.contains("x-b3-traceid")).as("stale B3 headers removed").isFalse();
        }
        List<SpanData> done = finished(t);
        assertThat(done).hasSize(2 * bad.length)
                .filteredOn(s -> s.getKind() == SpanKind.SERVER)
                .allSatisfy(s -> assertThat(s.getParentSpanContext().isValid()).isFalse());
    }

    @Test
    void samplingIsParentBasedWithARatioForNewTracesAndForcedOnRequest() {
        Tracing t = tracing(0.25);
        // an unsampled parent stays unsampled (and is propagated as such)
        HttpHeaders up = exchange(t, request("traceparent", "00-" + TRACE + "-" + PARENT + "-00"), false, 1);
        assertThat(up.get("traceparent")).startsWith("00-" + TRACE + "-").endsWith("-00");
        // x-client-trace-id from a trusted caller: forced, even against the parent's decision
        exchange(t, request("traceparent", "00-" + TRACE + "-" + PARENT + "-00", "x-client-trace-id", "dbg-1"), true, 1);
        int newTraces = 4000;
        for (int i = 0; i < newTraces; i++) {
            exchange(t, request(), false, 1);
        }
        List<SpanData> done = finished(t);
        List<SpanData> forced = done.stream().filter(s -> s.getTraceId().equals(TRACE)).toList();
        assertThat(forced).hasSize(2);
        assertThat(forced.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow()
                .getAttributes().get(HttpSpanAttributes.CLIENT_TRACE_ID)).isEqualTo("dbg-1");
        long sampledServers = done.stream().filter(s -> s.getKind() == SpanKind.SERVER && !s.getTraceId().equals(TRACE)).count();
        // binomial(4000, 0.25): mean 1000, sd 27; +-150 is over 5 sd
        assertThat(sampledServers).isBetween(850L, 1150L);
    }

    @Test
    void zeroSamplingRecordsNothingButStillPropagates() {
        Tracing t = tracing(0.0);
        HttpHeaders up = exchange(t, request(), false, 1);
        assertThat(up.get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
        assertThat(finished(t)).isEmpty();
        assertThat(t.spansSent()).isZero();
    }

    @Test
    void disabledTracingLeavesHeadersAlone() {
        HttpRequest r = request("traceparent", "00-" + TRACE + "-" + PARENT + "-01", "b3", "x");
        Span s = Tracing.DISABLED.startServerSpan(r, "1.1", "http", null, "main", true);
        assertThat(s.getSpanContext().isValid()).isFalse();
        Tracing.DISABLED.startClientSpan(s, r, "c", HOST, 1);
        assertThat(r.headers().get("traceparent")).isEqualTo("00-" + TRACE + "-" + PARENT + "-01");
        assertThat(r.headers().get("b3")).isEqualTo("x");
    }

    @Test
    void exportFailuresAreCountedNotThrown() {
        InMemorySpanExporter broken = InMemorySpanExporter.create();
        broken.shutdown(); // a shut-down in-memory exporter fails every export
        TracingConfig c = new TracingConfig(1.0, "svc", List.of(TracingConfig.Propagation.W3C), TracingConfig.Log.STDOUT,
                2048, 512, Duration.ofMillis(1), Duration.ofSeconds(1));
        Tracing t = new Tracing(c, broken);
        for (int i = 0; i < 5; i++) {
            exchange(t, request(), false, 1);
        }
        t.flush();
        assertThat(t.spansFailed()).isEqualTo(10);
        assertThat(t.spansSent()).isZero();
    }
}
