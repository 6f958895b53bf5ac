package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.it.FaultRelay.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The overload manager and memory bounds, against the real jar with a small heap and little direct memory. */
class OverloadIT {
    @Test
    void underMemoryPressureNewRequestsGet503WithFlagOMAndResponsesCloseTheirConnections() throws Exception {
        try (Origin origin = new Origin("o");
             ProxyProcess p = ProxyProcess.start("overload-actions", ProxyProcess.catchAllConfig("{ cluster: o }",
                     "- { name: o, endpoints: [ " + origin.address() + " ] }").replace("clusters:",
                     "overload_manager: { refresh_interval: 50ms, actions: { disable_http_keepalive: 0.01, "
                             + "stop_accepting_requests: 0.01, stop_accepting_connections: 0 } }\nclusters:"),
                     "-Xmx48m")) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + p.port("main") + "/x");
            // thresholds of 1%: active as soon as a garbage collection has reported the heap in use (requests make
            // garbage; the first collection comes within a few hundred of them on a 48 MiB heap)
            AtomicInteger sent = new AtomicInteger();
            assertThat(Await.until(Duration.ofSeconds(30), () -> {
                sent.incrementAndGet();
                return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 503;
            })).as("a 503 after %d requests", sent.get()).isTrue();
            HttpResponse<String> shed = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(shed.headers().firstValue("connection")).hasValue("close"); // disable_http_keepalive
            assertThat(p.awaitLog(l -> l.contains("GET /x ") && l.contains(" 503 OM "))).isTrue();
            assertThat(p.stat("http.main.downstream_rq_overload_reject")).isPositive();
            assertThat(p.stat("http.main.downstream_cx_overload_disable_keepalive")).isPositive();
        }
    }

    @Test
    void aBurstOfLargeUploadsToAnOriginThatDoesNotReadEndsInTimeoutsNotOutOfMemory() throws Exception {
        try (Origin origin = new Origin("o");
             FaultRelay stuck = new FaultRelay(origin.port());
             ProxyProcess p = ProxyProcess.start("overload-uploads", ProxyProcess.mainListenerConfig("""
                     - { match: { prefix: /upload }, route: { cluster: stuck, timeout: 3s, idle_timeout: 2s } }
                     - { match: { prefix: / }, route: { cluster: o } }
                     """, """
                     - { name: stuck, endpoints: [ %s ], circuit_breakers: { max_connections: 1000, max_pending_requests: 1000, max_requests: 1000 } }
                     - { name: o, endpoints: [ %s ] }
                     """.formatted(stuck.address(), origin.address())), "-Xmx64m", "-XX:MaxDirectMemorySize=32m")) {
            stuck.inject(Fault.NO_READ, 0, Integer.MAX_VALUE);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            byte[] body = new byte[8 << 20]; // 64 uploads of 8 MiB: 512 MiB offered to a 64 MiB heap + 32 MiB direct
            List<CompletableFuture<HttpResponse<Void>>> uploads = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                uploads.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port("main") + "/upload"))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            // meanwhile the proxy still answers other traffic
            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + p.port("main") + "/ok")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isIn(200, 503);
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            for (CompletableFuture<HttpResponse<Void>> u : uploads) {
                String outcome;
                try {
                    outcome = Integer.toString(u.get(60, TimeUnit.SECONDS).statusCode());
                } catch (java.util.concurrent.ExecutionException e) {
                    outcome = "closed"; // answered before the body was all sent, then closed: the client sees an error
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
            System.out.println("upload outcomes: " + outcomes);
            // backpressure holds each upload at the socket buffers (memory stays bounded without shedding); the request
            // never completes, so the route timeout never starts and the stream idle timeout ends it: 408 (or the
            // close that follows it while the client is still sending), or 503 if the overload manager shed it
            assertThat(outcomes.keySet()).isSubsetOf("408", "503", "closed");
            assertThat(p.awaitLog(l -> l.contains("POST /upload ") && l.contains(" 408 SI "))).isTrue();
            assertThat(p.isAlive()).isTrue();
            assertThat(p.adminGet("/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> after = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + p.port("main") + "/ok")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).isEqualTo(200);
        } // close() asserts the proxy log has no OutOfMemoryError and no leak report
    }
}
