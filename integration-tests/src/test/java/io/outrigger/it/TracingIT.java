package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Traces exported to a real Zipkin server and read back through Zipkin's query API. */
class TracingIT {
    private static final Pattern UPSTREAM_TRACEPARENT = Pattern.compile("traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-0([0-3])");

    private static String config(String clusterYaml, String endpoint) {
        return ProxyProcess.mainListenerConfig("""
                - match: { prefix: /retry/ }
                  route: { cluster: o, retry_policy: { retry_on: 5xx, num_retries: 2, retry_back_off: { base_interval: 1ms } } }
                - match: { prefix: / }
                  route: { cluster: o }
                """, clusterYaml) + """
                tracing:
                  sampling: 1.0
                  service_name: checkout-sidecar
                  exporter: { zipkin: { endpoint: "%s" } }
                  schedule_delay: 100ms
                  export_timeout: 2s
                """.formatted(endpoint);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String get(int port, String path, String... headers) throws Exception {
        List<String> args = new ArrayList<>();
        for (String h : headers) {
            args.add("-H");
            args.add(h);
        }
        args.add("http://127.0.0.1:" + port + path);
        Cmd c = Cmd.curlRun(args.toArray(new String[0]));
        assertThat(c.exit()).as(c.err()).isZero();
        return c.out();
    }

    private static JsonNode only(JsonNode spans, String kind) {
        List<JsonNode> out = ofKind(spans, kind);
        assertThat(out).as("%s spans in %s", kind, spans).hasSize(1);
        return out.get(0);
    }

    private static List<JsonNode> ofKind(JsonNode spans, String kind) {
        List<JsonNode> out = new ArrayList<>();
        spans.forEach(s -> {
            if (kind.equals(s.path("kind").asText())) {
                out.add(s);
            }
        });
        return out;
    }

    @Test
    void traceTreesReachZipkin() throws Exception {
        try (ZipkinServer zipkin = new ZipkinServer();
             Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("tracing", config("- { name: o, endpoints: [ " + o.address() + " ] }",
                     zipkin.spansEndpoint()))) {
            int port = proxy.port("main");

            // 1. a caller's sampled W3C context is continued: caller -> server span -> client span -> origin
            String trace = randomHex(16);
            String callerSpan = randomHex(8);
            String body = get(port, "/items?id=1", "traceparent: 00-" + trace + "-" + callerSpan + "-01", "tracestate: shop=1");
            Matcher m = UPSTREAM_TRACEPARENT.matcher(body);
            assertThat(m.find()).as(body).isTrue();
            assertThat(m.group(1)).isEqualTo(trace);
            assertThat(body).contains("tracestate: shop=1");
            JsonNode spans = zipkin.trace(trace, 2);
            JsonNode server = only(spans, "SERVER");
            JsonNode client = only(spans, "CLIENT");
            assertThat(server.path("parentId").asText()).isEqualTo(callerSpan);
            assertThat(client.path("parentId").asText()).isEqualTo(server.path("id").asText());
            assertThat(m.group(2)).as("the origin's parent is the attempt's span").isEqualTo(client.path("id").asText());
            assertThat(server.path("localEndpoint").path("serviceName").asText()).isEqualTo("checkout-sidecar");
            assertThat(server.path("name").asText()).isEqualToIgnoringCase("GET /");
            JsonNode st = server.path("tags");
            assertThat(st.path("http.request.method").asText()).isEqualTo("GET");
            assertThat(st.path("http.route").asText()).isEqualTo("/");
            assertThat(st.path("http.response.status_code").asText()).isEqualTo("200");
            assertThat(st.path("url.path").asText()).isEqualTo("/items");
            assertThat(st.path("network.protocol.version").asText()).isEqualTo("1.1");
            assertThat(st.path("server.port").asText()).isEqualTo(Integer.toString(port));
            assertThat(st.path("outrigger.upstream_cluster").asText()).isEqualTo("o");
            assertThat(st.path("outrigger.upstream_host").asText()).isEqualTo(o.address());
            assertThat(st.path("outrigger.request_id").asText()).matches("[0-9a-f-]{36}");
            JsonNode ct = client.path("tags");
            assertThat(ct.path("outrigger.attempt").asText()).isEqualTo("1");
            assertThat(ct.path("server.address").asText()).isEqualTo("127.0.0.1");
            assertThat(ct.path("server.port").asText()).isEqualTo(Integer.toString(o.port()));
            assertThat(ct.path("http.response.status_code").asText()).isEqualTo("200");
            assertThat(client.path("timestamp").asLong()).isGreaterThanOrEqualTo(server.path("timestamp").asLong());

            // 2. no incoming context: a new trace rooted at the proxy; an unsampled caller: nothing recorded;
            //    x-client-trace-id from a trusted (loopback) caller: recorded anyway
            String unsampled = randomHex(16);
            get(port, "/quiet", "traceparent: 00-" + unsampled + "-" + randomHex(8) + "-00");
            String forced = randomHex(16);
            get(port, "/debug", "traceparent: 00-" + forced + "-" + randomHex(8) + "-00", "x-client-trace-id: ticket-42");
            m = UPSTREAM_TRACEPARENT.matcher(get(port, "/new"));
            assertThat(m.find()).isTrue();
            JsonNode fresh = zipkin.trace(m.group(1), 2);
            assertThat(only(fresh, "SERVER").has("parentId")).as("a root span").isFalse();
            assertThat(only(fresh, "CLIENT").path("parentId").asText()).isEqualTo(only(fresh, "SERVER").path("id").asText());
            JsonNode forcedTrace = zipkin.trace(forced, 2);
            assertThat(only(forcedTrace, "SERVER").path("tags").path("outrigger.client_trace_id").asText()).isEqualTo("ticket-42");
            // spans leave in order: the later traces arrived, so the unsampled one would have too
            assertThat(zipkin.get("/api/v2/trace/" + unsampled).statusCode()).isEqualTo(404);

            // 3. retries are sibling client spans with attempt numbers under one server span
            String retried = randomHex(16);
            Cmd c = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", "-H", "x-fail-on: all",
                    "-H", "traceparent: 00-" + retried + "-" + randomHex(8) + "-01", "http://127.0.0.1:" + port + "/retry/x");
            assertThat(c.out()).isEqualTo("503");
            JsonNode r = zipkin.trace(retried, 4);
            JsonNode rs = only(r, "SERVER");
            List<JsonNode> attempts = ofKind(r, "CLIENT");
            assertThat(attempts).hasSize(3).allSatisfy(a -> {
                assertThat(a.path("parentId").asText()).isEqualTo(rs.path("id").asText());
                assertThat(a.path("tags").path("http.response.status_code").asText()).isEqualTo("503");
                assertThat(a.path("tags").path("otel.status_code").asText()).isEqualTo("ERROR");
                assertThat(a.path("tags").path("error.type").asText()).isEqualTo("503");
            });
            assertThat(attempts).extracting(a -> a.path("tags").path("outrigger.attempt").asText())
                    .containsExactlyInAnyOrder("1", "2", "3");
            assertThat(rs.path("tags").path("http.route").asText()).isEqualTo("/retry/");
            assertThat(rs.path("tags").path("http.response.status_code").asText()).isEqualTo("503");
            assertThat(rs.path("tags").path("outrigger.response_flags").asText()).contains("URX");
            // kept for people: Zipkin's answer and the tree it describes
            java.nio.file.Files.createDirectories(DashboardIT.ARTIFACTS);
            java.nio.file.Files.writeString(DashboardIT.ARTIFACTS.resolve("zipkin-trace-retries.json"), r.toPrettyString());
            java.nio.file.Files.writeString(DashboardIT.ARTIFACTS.resolve("zipkin-trace-retries.txt"), tree(r));

            assertThat(proxy.adminGet("/stats/prometheus").body()).contains("outrigger_tracing_spans_failed_total 0.0",
                    "outrigger_tracing_spans_dropped_total 0.0");
        }
    }

    @Test
    void hedgedAttemptsAreSiblingsWithTheWinnerMarkedAndMirrorCopiesGetShadowSpans() throws Exception {
        try (ZipkinServer zipkin = new ZipkinServer();
             Origin slow = new Origin("slow"); Origin fast = new Origin("fast"); Origin mirror = new Origin("mirror");
             FaultRelay slowPath = new FaultRelay(slow.port())) {
            slowPath.inject(FaultRelay.Fault.LATENCY, 1000, Integer.MAX_VALUE);
            String yaml = ProxyProcess.mainListenerConfig("""
                    - match: { prefix: /hedged }
                      route:
                        cluster: tiers
                        retry_policy: { retry_on: [5xx], num_retries: 1, per_try_timeout: 100ms }
                        hedge_policy: { hedge_on_per_try_timeout: true }
                    - match: { prefix: / }
                      route: { cluster: fast, request_mirror_policies: [ { cluster: mirror, runtime_fraction: { default_value: { numerator: 100 } } } ] }
                    """, """
                    # the first attempt always meets the slow host (priority 0); the hedge moves to the next level
                    - { name: tiers, endpoints: [ { address: %s, priority: 0 }, { address: %s, priority: 1 } ] }
                    - { name: fast, endpoints: [ %2$s ] }
                    - { name: mirror, endpoints: [ %s ] }
                    """.formatted(slowPath.address(), fast.address(), mirror.address()))
                    .replace("    address: 127.0.0.1:0\n", "    address: 127.0.0.1:0\n    access_log: [ { format: json } ]\n")
                    + """
                    tracing: { sampling: 1.0, exporter: { zipkin: { endpoint: "%s" } }, schedule_delay: 100ms }
                    """.formatted(zipkin.spansEndpoint());
            try (ProxyProcess proxy = ProxyProcess.start("tracing-hedge", yaml)) {
                int port = proxy.port("main");
                String hedgedTrace = randomHex(16);
                String body = get(port, "/hedged/x", "traceparent: 00-" + hedgedTrace + "-" + randomHex(8) + "-01");
                assertThat(body).contains("fast");
                JsonNode spans = zipkin.trace(hedgedTrace, 3);
                JsonNode server = only(spans, "SERVER");
                List<JsonNode> attempts = ofKind(spans, "CLIENT");
                assertThat(attempts).hasSize(2).allSatisfy(a ->
                        assertThat(a.path("parentId").asText()).isEqualTo(server.path("id").asText()));
                JsonNode winner = attempts.stream().filter(a -> a.path("tags").has("outrigger.hedge_winner")).findFirst().orElseThrow();
                JsonNode loser = attempts.stream().filter(a -> a != winner).findFirst().orElseThrow();
                assertThat(winner.path("tags").path("outrigger.attempt").asText()).isEqualTo("2");
                assertThat(winner.path("tags").path("server.port").asText()).isEqualTo(Integer.toString(fast.port()));
                assertThat(loser.path("tags").path("error.type").asText()).isEqualTo("hedge lost");
                TlsIT.waitUntil(() -> proxy.logText().contains("\"hedges\":1,\"hedge\":\"newest_won\""));
                assertThat(proxy.awaitLog(l -> l.contains("\"upstream_priority\":1,\"upstream_request_attempt_count\":2"))).isTrue();

                String mirroredTrace = randomHex(16);
                get(port, "/m", "traceparent: 00-" + mirroredTrace + "-" + randomHex(8) + "-01");
                JsonNode m = zipkin.trace(mirroredTrace, 3);
                JsonNode ms = only(m, "SERVER");
                List<JsonNode> clients = ofKind(m, "CLIENT");
                assertThat(clients).hasSize(2).allSatisfy(c ->
                        assertThat(c.path("parentId").asText()).isEqualTo(ms.path("id").asText()));
                JsonNode shadow = clients.stream().filter(c -> c.path("tags").has("outrigger.shadow")).findFirst().orElseThrow();
                assertThat(shadow.path("tags").path("server.port").asText()).isEqualTo(Integer.toString(mirror.port()));
                assertThat(shadow.path("tags").path("http.response.status_code").asText()).isEqualTo("200");
                TlsIT.waitUntil(() -> proxy.logText().contains("\"upstream_request_attempt_count\":1,\"mirrored\":1"));
            }
        }
    }

    @Test
    void anUnreachableCollectorNeitherFailsNorSlowsRequests() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("tracing-down", config("- { name: o, endpoints: [ " + o.address() + " ] }",
                     "http://127.0.0.1:" + closedPort + "/api/v2/spans"))) {
            int port = proxy.port("main");
            Cmd h2load = Cmd.run("h2load", "-n", "2000", "-c", "4", "-m", "8", "http://127.0.0.1:" + port + "/load");
            assertThat(h2load.out()).as(h2load.out()).contains("2000 succeeded, 0 failed, 0 errored");
            TlsIT.waitUntil(() -> {
                String prom = proxy.adminGet("/stats/prometheus").body();
                Matcher failed = Pattern.compile("(?m)^outrigger_tracing_spans_failed_total (\\S+)").matcher(prom);
                return failed.find() && Double.parseDouble(failed.group(1)) > 0;
            });
            assertThat(proxy.adminGet("/stats/prometheus").body()).contains("outrigger_tracing_spans_sent_total 0.0");
        }
    }

    @Test
    void aCollectorThatNeverAnswersFillsTheQueueAndSpansAreDroppedNotRequests() throws Exception {
        // a black hole: the kernel completes connections into the backlog, nobody ever reads or answers
        try (java.net.ServerSocket blackHole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("tracing-blackhole", ProxyProcess.catchAllConfig("{ cluster: o }",
                     "- { name: o, endpoints: [ " + o.address() + " ] }") + """
                     tracing:
                       exporter: { zipkin: { endpoint: "http://127.0.0.1:%d/api/v2/spans" } }
                       max_queue_size: 64
                       max_export_batch_size: 32
                       schedule_delay: 10ms
                       export_timeout: 5s
                     """.formatted(blackHole.getLocalPort()))) {
            int port = proxy.port("main");
            Cmd h2load = Cmd.run("h2load", "-n", "2000", "-c", "4", "-m", "8", "http://127.0.0.1:" + port + "/load");
            assertThat(h2load.out()).as(h2load.out()).contains("2000 succeeded, 0 failed, 0 errored");
            String prom = proxy.adminGet("/stats/prometheus").body();
            Matcher dropped = Pattern.compile("(?m)^outrigger_tracing_spans_dropped_total (\\S+)").matcher(prom);
            assertThat(dropped.find()).isTrue();
            // 4,000 spans into a 64-span queue whose only export hangs: nearly all of them are dropped
            assertThat(Double.parseDouble(dropped.group(1))).isGreaterThan(3000);
            assertThat(prom).contains("outrigger_tracing_spans_sent_total 0.0");
        }
    }

    @Test
    void requestIdAndForcedTracingAreTrustedOnlyFromInternalAddresses() throws Exception {
        try (Origin o = new Origin("o")) {
            java.nio.file.Path spans = java.nio.file.Files.createDirectories(ProxyProcess.WORK).resolve("spans-" + System.nanoTime() + ".jsonl");
            String listener = """
                    - name: %s
                      address: 127.0.0.1:0
                      always_set_request_id_in_response: true
                      %s
                      virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                    """;
            String yaml = "admin: { address: 127.0.0.1:0 }\nlisteners:\n"
                    + listener.formatted("trusted", "access_log: [ { format: json } ]   # loopback is internal by default").indent(2)
                    + listener.formatted("edge", "internal_address_config: { cidr_ranges: [ 10.0.0.0/8 ] }").indent(2)
                    + listener.formatted("edge_preserving", "internal_address_config: { cidr_ranges: [ 10.0.0.0/8 ] }\n"
                            + "  preserve_external_request_id: true").indent(2)
                    + "clusters:\n  - { name: o, endpoints: [ " + o.address() + " ] }\n"
                    + "tracing: { sampling: 0.0, schedule_delay: 50ms, exporter: { log: { path: \"" + spans + "\" } } }\n";
            try (ProxyProcess proxy = ProxyProcess.start("request-id", yaml)) {
                Map<String, String> seen = new java.util.HashMap<>();
                for (String name : List.of("trusted", "edge", "edge_preserving")) {
                    Cmd c = Cmd.curlRun("-i", "-H", "x-request-id: caller-id-1", "http://127.0.0.1:" + proxy.port(name) + "/");
                    int split = c.out().indexOf("\r\n\r\n");
                    assertThat(split).as(c.out()).isPositive();
                    Matcher up = Pattern.compile("(?m)^x-request-id: (\\S+)$").matcher(c.out().substring(split)); // the origin's echo
                    assertThat(up.find()).as(c.out()).isTrue();
                    Matcher echoed = Pattern.compile("(?mi)^x-request-id: (\\S+)").matcher(c.out().substring(0, split));
                    assertThat(echoed.find()).as("echoed in the response: %s", c.out()).isTrue();
                    assertThat(echoed.group(1)).isEqualTo(up.group(1));
                    seen.put(name, up.group(1));
                    // RFC 9112 §6.3: a GET without a body goes upstream without chunked framing
                    assertThat(c.out().substring(split)).doesNotContain("transfer-encoding");
                }
                assertThat(seen.get("trusted")).isEqualTo("caller-id-1");
                assertThat(seen.get("edge")).isNotEqualTo("caller-id-1").matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
                assertThat(seen.get("edge_preserving")).isEqualTo("caller-id-1");
                assertThat(proxy.awaitLog(l -> l.contains("\"caller-id-1\""))).isTrue(); // in the access log
                assertThat(proxy.awaitLog(l -> l.contains("\"" + seen.get("edge") + "\""))).isTrue();

                // sampling 0: only x-client-trace-id from an internal address forces a trace
                String external = randomHex(16);
                String internal = randomHex(16);
                Cmd.curlRun("-H", "x-client-trace-id: dbg", "-H", "traceparent: 00-" + external + "-" + randomHex(8) + "-00",
                        "http://127.0.0.1:" + proxy.port("edge") + "/");
                Cmd.curlRun("-H", "x-client-trace-id: dbg", "-H", "traceparent: 00-" + internal + "-" + randomHex(8) + "-00",
                        "http://127.0.0.1:" + proxy.port("trusted") + "/");
                TlsIT.waitUntil(() -> java.nio.file.Files.exists(spans) && java.nio.file.Files.readString(spans).contains(internal));
                String exported = java.nio.file.Files.readString(spans);
                // the JSON access log line leads to the trace
                TlsIT.waitUntil(() -> proxy.logText().contains("\"trace_id\":\"" + internal + "\""));
                assertThat(exported).doesNotContain(external);
                assertThat(exported.lines().toList()).allSatisfy(line -> assertThat(line).startsWith("{\"resourceSpans\":["));
            }
        }
    }

    @Test
    void otlpExportIsProtobufOverHttpWithTheConfiguredHeaders() throws Exception {
        try (OtlpReceiver otlp = new OtlpReceiver();
             Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("tracing-otlp", ProxyProcess.catchAllConfig("{ cluster: o }",
                     "- { name: o, endpoints: [ " + o.address() + " ] }") + """
                     tracing:
                       service_name: cart
                       propagation: [ b3multi ]
                       schedule_delay: 50ms
                       exporter: { otlp: { endpoint: "%s", headers: { x-api-key: k-123 } } }
                     """.formatted(otlp.endpoint()))) {
            String trace = randomHex(16);
            String parent = randomHex(8);
            String echoed = get(proxy.port("main"), "/otlp", "X-B3-TraceId: " + trace, "X-B3-SpanId: " + parent, "X-B3-Sampled: 1");
            assertThat(echoed).contains("x-b3-traceid: " + trace).doesNotContain("traceparent");
            TlsIT.waitUntil(() -> otlp.spansOf(trace).size() == 2);
            List<io.opentelemetry.proto.trace.v1.Span> spans = otlp.spansOf(trace);
            var server = spans.stream().filter(x -> x.getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
            var client = spans.stream().filter(x -> x.getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
            assertThat(HexFormat.of().formatHex(server.getParentSpanId().toByteArray())).isEqualTo(parent);
            assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(echoed).contains("x-b3-spanid: " + HexFormat.of().formatHex(client.getSpanId().toByteArray()));
            assertThat(otlp.contentTypes).allMatch(t -> t.equals("application/x-protobuf"));
            assertThat(otlp.apiKeys).allMatch(k -> k.equals("k-123"));
            assertThat(otlp.serviceNames).contains("cart");
            assertThat(proxy.adminGet("/config_dump").body()).contains("\"otlp\":{").contains("\"x-api-key\":\"*****\"")
                    .doesNotContain("k-123");
        }
    }

    /** The spans of a Zipkin trace as an indented tree: kind, name, id, duration and the telling tags. */
    static String tree(JsonNode spans) {
        Map<String, List<JsonNode>> children = new java.util.TreeMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        spans.forEach(x -> ids.add(x.path("id").asText()));
        List<JsonNode> roots = new ArrayList<>();
        spans.forEach(x -> {
            String parent = x.path("parentId").asText("");
            if (parent.isEmpty() || !ids.contains(parent)) {
                roots.add(x);
            } else {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(x);
            }
        });
        StringBuilder sb = new StringBuilder("trace " + spans.get(0).path("traceId").asText() + "\n");
        for (JsonNode root : roots) {
            if (root.has("parentId")) {
                sb.append("(caller span ").append(root.path("parentId").asText()).append(", not in this trace's store)\n");
            }
            appendTree(sb, root, children, 1);
        }
        return sb.toString();
    }

    private static void appendTree(StringBuilder sb, JsonNode span, Map<String, List<JsonNode>> children, int depth) {
        JsonNode tags = span.path("tags");
        sb.append("  ".repeat(depth)).append(span.path("kind").asText()).append(' ').append(span.path("name").asText())
                .append("  id=").append(span.path("id").asText()).append("  ").append(span.path("duration").asLong()).append("us");
        for (String tag : List.of("outrigger.attempt", "http.route", "http.response.status_code", "error.type",
                "outrigger.response_flags", "server.address", "server.port")) {
            if (tags.has(tag)) {
                sb.append("  ").append(tag).append('=').append(tags.path(tag).asText());
            }
        }
        sb.append('\n');
        List<JsonNode> kids = new ArrayList<>(children.getOrDefault(span.path("id").asText(), List.of()));
        kids.sort(java.util.Comparator.comparingLong(k -> k.path("timestamp").asLong()));
        for (JsonNode k : kids) {
            appendTree(sb, k, children, depth + 1);
        }
    }
}
