package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retries, outlier ejection, health checks and retry budgets against real origins that die and misbehave. */
class ResilienceIT {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static String routes(String retryOn, int numRetries) {
        return routesWithPolicy(retryOn == null ? "" : "retry_policy: { retry_on: [%s], num_retries: %d }".formatted(retryOn, numRetries));
    }

    /** The main listener routing everything to cluster {@code shop} by x-user-id; clusters follow as {@code "  - ..."} items. */
    static String routesWithPolicy(String retryPolicyLine) {
        return ProxyProcess.mainListenerConfig("""
                - match: { prefix: / }
                  route:
                    cluster: shop
                    timeout: 10s
                    hash_policy: [ { header: { header_name: x-user-id } } ]
                    RETRY
                """.replace("RETRY", retryPolicyLine), "");
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String healthFlags(ProxyProcess proxy, Origin o) throws Exception {
        for (String line : proxy.adminGet("/clusters").body().split("\n")) {
            if (line.contains("::127.0.0.1:" + o.port() + "::health_flags::")) {
                return line.substring(line.lastIndexOf("::") + 2);
            }
        }
        throw new AssertionError("no health_flags for " + o.name);
    }

    static void waitUntil(TlsIT.Check check) throws Exception {
        TlsIT.waitUntil(check);
    }

    @Test
    void killingAnOriginMidRunFailsNoRequestAndItReturnsAfterHealthChecks() throws Exception {
        Origin a = new Origin("a");
        Origin b = new Origin("b");
        Origin c = new Origin("c");
        int bPort = b.port();
        String yaml = routes("5xx, reset, connect-failure", 2) + """
                  - name: shop
                    lb_policy: ring_hash
                    endpoints: [ %s, %s, %s ]
                    health_check: { path: /healthz, interval: 200ms, timeout: 200ms, unhealthy_threshold: 2, healthy_threshold: 2 }
                    outlier_detection: { consecutive_gateway_failure: 3, consecutive_5xx: 3, interval: 200ms, base_ejection_time: 1s, max_ejection_percent: 34 }
                """.formatted(a.address(), b.address(), c.address());
        Origin restarted = null;
        try (ProxyProcess proxy = ProxyProcess.start("kill", yaml)) {
            String base = "http://127.0.0.1:" + proxy.port("main");
            int beforeKill;
            try (LoadClient load = new LoadClient(base, 6, 200)) {
                waitUntil(() -> b.requests.get() > 100 && a.requests.get() > 100 && c.requests.get() > 100);
                beforeKill = load.ok.get();
                b.terminate(); // the origin goes away under load
                waitUntil(() -> !healthFlags(proxy, b).equals("healthy"));
                int atEjection = load.ok.get();
                waitUntil(() -> load.ok.get() > atEjection + 300); // and traffic goes on without it
                load.close();
                assertThat(load.failures).as("failed client requests").isEmpty();
                System.out.printf("kill-an-origin: %d requests ok, %d failed; %d before the kill; /clusters: %s%n",
                        load.ok.get(), load.failures.size(), beforeKill, proxy.adminGet("/clusters").body()
                                .lines().filter(l -> l.contains("retry") || l.contains("eject") || l.contains("health")).toList());
            }
            // (how many requests were saved by policy retries, by stale-connection retries or by health checks
            // taking the host out first depends on timing; the printed line shows it)
            restarted = new Origin("b", bPort);
            Origin back = restarted;
            waitUntil(() -> healthFlags(proxy, back).equals("healthy"));
            for (int u = 0; u < 60; u++) {
                get(base + "/again", "x-user-id", "user-" + u);
            }
            assertThat(back.requests.get()).as("requests reaching the restarted origin").isPositive();
        } finally {
            a.close();
            c.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    @Test
    void a503ForOneKeyIsRetriedOnTheNextHost() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); Origin c = new Origin("c");
             ProxyProcess proxy = ProxyProcess.start("next-host", routes("5xx", 1)
                     + "  - { name: shop, lb_policy: ring_hash, endpoints: [ %s, %s, %s ] }\n"
                     .formatted(a.address(), b.address(), c.address()))) {
            String base = "http://127.0.0.1:" + proxy.port("main");
            String home = get(base + "/who", "x-user-id", "alice").body().lines().findFirst().orElseThrow();
            String homeName = home.substring("origin: ".length());
            HttpResponse<String> r = get(base + "/who", "x-user-id", "alice", "x-fail-on", homeName);
            assertThat(r.statusCode()).isEqualTo(200);
            String servedBy = r.body().lines().findFirst().orElseThrow();
            assertThat(servedBy).isNotEqualTo(home);
            assertThat(r.body()).contains("x-outrigger-attempt-count: 2");
            // the same key's next host, every time (a fresh proxy's budget holds 3 retries + 0.2 per request)
            for (int i = 0; i < 2; i++) {
                assertThat(get(base + "/who", "x-user-id", "alice", "x-fail-on", homeName).body()).startsWith(servedBy);
            }
        }
    }

    @Test
    void aPostIsNotResentAfterItsBodyWentOutButAGetIs() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket rude = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!rude.isClosed()) {
                    try (Socket s = rude.accept()) {
                        connections.incrementAndGet();
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[8192];
                        String seen = "";
                        // read the request (head, and a POST's 5-byte body), then hang up without answering
                        while (!(seen.contains("\r\n\r\n") && (!seen.startsWith("POST") || seen.endsWith("hello")))) {
                            int n = in.read(buf);
                            if (n < 0) {
                                break;
                            }
                            seen += new String(buf, 0, n);
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            try (ProxyProcess proxy = ProxyProcess.start("post", routes("5xx, reset, connect-failure", 2)
                    + "  - { name: shop, endpoints: [ 127.0.0.1:%d ] }\n".formatted(rude.getLocalPort()))) {
                String base = "http://127.0.0.1:" + proxy.port("main");
                HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/pay"))
                        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(post.statusCode()).isEqualTo(502);
                assertThat(connections.get()).as("a POST goes out once").isEqualTo(1);
                HttpResponse<String> getR = get(base + "/read");
                assertThat(getR.statusCode()).isEqualTo(502);
                assertThat(connections.get()).as("a GET is tried 1 + 2 times").isEqualTo(4);
                waitUntil(() -> proxy.logText().contains("\"GET /read HTTP/1.1\" 502 URX,UC"));
            }
        }
    }

    @Test
    void aBodyThatOutgrowsTheReplayBufferDuringBackOffIsNotReplayedTruncated() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket hasty = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // answers 503 as soon as it has a request head, without reading any body
            Thread t = new Thread(() -> {
                while (!hasty.isClosed()) {
                    try (Socket s = hasty.accept()) {
                        InputStream in = s.getInputStream();
                        StringBuilder head = new StringBuilder();
                        while (head.indexOf("\r\n\r\n") < 0) {
                            int b = in.read();
                            if (b < 0) {
                                break;
                            }
                            head.append((char) b);
                        }
                        if (head.indexOf("\r\n\r\n") >= 0) {
                            requests.incrementAndGet();
                            s.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            String yaml = routesWithPolicy("retry_policy: { retry_on: [5xx], num_retries: 1, "
                    + "retry_back_off: { base_interval: 1s }, per_request_buffer_limit_bytes: 1KiB }")
                    + "  - { name: shop, endpoints: [ 127.0.0.1:%d ] }\n".formatted(hasty.getLocalPort());
            try (ProxyProcess proxy = ProxyProcess.start("backoff-overflow", yaml);
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port("main"))) {
                client.setSoTimeout(10_000);
                var out = client.getOutputStream();
                out.write("PUT /doc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                waitUntil(() -> requests.get() == 1);            // the first attempt was answered 503: back-off runs
                byte[] chunk = new byte[2048];                   // more than the 1 KiB replay limit
                out.write(("800\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[4096];
                int n = client.getInputStream().read(buf);
                assertThat(new String(buf, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 503");
                assertThat(requests.get()).as("no retry with a truncated body").isEqualTo(1);
                waitUntil(() -> proxy.adminGet("/clusters").body().contains("shop::retry_or_shadow_abandoned::1"));
            }
        }
    }

    @Test
    void whenEveryOriginFailsRetriesStayWithinTheBudget() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); Origin c = new Origin("c");
             ProxyProcess proxy = ProxyProcess.start("budget", routes("5xx", 3)
                     + "  - { name: shop, lb_policy: ring_hash, endpoints: [ %s, %s, %s ] }\n"
                     .formatted(a.address(), b.address(), c.address()))) {
            String base = "http://127.0.0.1:" + proxy.port("main");
            int clients = 20;
            int perClient = 50;
            List<CompletableFuture<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    int non503 = 0;
                    for (int j = 0; j < perClient; j++) {
                        try {
                            HttpResponse<String> r = get(base + "/x", "x-user-id", "u" + ThreadLocalRandom.current().nextInt(1000),
                                    "x-fail-on", "all");
                            non503 += r.statusCode() == 503 ? 0 : 1;
                        } catch (Exception e) {
                            non503++;
                        }
                    }
                    return non503;
                }));
            }
            int unexpected = 0;
            for (CompletableFuture<Integer> f : runs) {
                unexpected += f.get();
            }
            int requests = clients * perClient;
            int upstream = a.requests.get() + b.requests.get() + c.requests.get();
            System.out.printf("all-503: %d client requests, %d upstream attempts (%.3f per request), budget bound %d%n",
                    requests, upstream, upstream / (double) requests, (int) (1.2 * requests) + 3);
            assertThat(unexpected).as("every client got the upstream's 503").isZero();
            assertThat(upstream).isGreaterThan(requests).isLessThanOrEqualTo((int) (1.2 * requests) + 3);
        }
    }

    @Test
    void staleKeepAliveConnectionsCauseNoClientErrors() throws Exception {
        try (IdleClosingOrigin origin = new IdleClosingOrigin(15);
             ProxyProcess proxy = ProxyProcess.start("stale", routes(null, 0)
                     + "  - name: shop\n    endpoints: [ 127.0.0.1:%d ]\n    connection_pool: { idle_timeout: 30s }\n"
                     .formatted(origin.port()))) {
            String url = "http://127.0.0.1:" + proxy.port("main") + "/k";
            int errors = 0;
            for (int i = 0; i < 2000; i++) {
                HttpResponse<String> r = get(url);
                errors += r.statusCode() == 200 ? 0 : 1;
                Thread.sleep(ThreadLocalRandom.current().nextInt(5, 25)); // spacing around the origin's 15 ms idle close
            }
            System.out.printf("stale keep-alive: 2000 requests, %d errors, %d upstream connections for %d upstream requests%n",
                    errors, origin.connections.get(), origin.requests.get());
            assertThat(errors).isZero();
            assertThat(origin.connections.get()).as("the origin closed idle connections often").isGreaterThan(100);
        }
    }
}
