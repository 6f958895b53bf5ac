package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.it.FaultRelay.Fault;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM under load through the jar: readiness fails at once, HTTP/1.1 answers carry {@code Connection: close},
 * HTTP/2 gets GOAWAY, the 2 s requests in flight finish, a {@code modify_only} listener keeps serving, and the process
 * exits 0 as soon as nothing is open.
 */
class DrainIT {
    @Test
    void sigtermUnderLoadFinishesWhatIsInFlightAndExitsZero() throws Exception {
        try (Origin web = new Origin("web"); Origin slow = new Origin("slow"); FaultRelay slowPath = new FaultRelay(slow.port())) {
            slowPath.inject(Fault.LATENCY, 2000, Integer.MAX_VALUE);
            String yaml = ProxyProcess.mainListenerConfig("""
                    - { match: { prefix: /slow }, route: { cluster: slow } }
                    - { match: { prefix: / }, route: { cluster: web } }
                    """, """
                    - { name: web, endpoints: [ %s ] }
                    - { name: slow, endpoints: [ %s ] }
                    """.formatted(web.address(), slowPath.address())).replace("listeners:\n", """
                    listeners:
                      - name: outbound
                        address: 127.0.0.1:0
                        drain_type: modify_only
                        access_log: []
                        virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: web } } ] } ]
                    """);
            ProxyProcess p = ProxyProcess.startWith("drain", yaml, List.of("--min-drain-time-s", "1", "--drain-time-s", "10"));
            try {
                int port = p.port("main");
                int outbound = p.port("outbound");
                String base = "http://127.0.0.1:" + port;
                LoadClient load = new LoadClient(base, 8, 100);
                TlsIT.waitUntil(() -> load.ok.get() > 300);
                CompletableFuture<Cmd> http1 = CompletableFuture.supplyAsync(() -> run("curl", "-s", "-i", base + "/slow/1"));
                CompletableFuture<Cmd> http2 = CompletableFuture.supplyAsync(() -> run("nghttp", "-v", base + "/slow/2"));
                // HTTP/2 load too: 4 connections x 10 streams (h2c prior knowledge) through SIGTERM
                CompletableFuture<Cmd> h2load = CompletableFuture.supplyAsync(() -> run("h2load", "-D", "3", "-c", "4",
                        "-m", "10", base + "/h2"));
                TlsIT.waitUntil(() -> slow.requests.get() >= 2); // both slow requests reached the origin
                long t0 = System.nanoTime();
                p.signal("TERM");
                TlsIT.waitUntil(() -> p.adminGet("/ready").statusCode() == 503);
                Cmd during = Cmd.curlRun("-s", "-i", base + "/during");
                assertThat(during.out()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
                int atTerm = load.ok.get();
                TlsIT.waitUntil(() -> load.ok.get() > atTerm + 100); // load balancers take a moment to stop sending
                load.close();
                long stopAccepting = System.nanoTime();
                TlsIT.waitUntil(() -> {
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                        return false;
                    } catch (java.io.IOException refused) {
                        return true;
                    }
                });
                long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                // the outbound listener (modify_only) still serves while the main one is closed
                assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + outbound + "/").out())
                        .isEqualTo("200");
                assertThat(p.process().waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
                long exitedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(p.process().exitValue()).isZero();
                assertThat(http1.join().out()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
                Cmd h2 = http2.join();
                assertThat(h2.out()).contains("recv GOAWAY frame", ":status: 200");
                assertThat(load.failures).isEmpty();
                String h2loadOut = h2load.join().out();
                assertThat(h2loadOut).containsPattern("requests: \\d+ total, \\d+ started, \\d+ done, \\d+ succeeded, 0 failed, 0 errored, 0 timeout")
                        .containsPattern("status codes: \\d+ 2xx, 0 3xx, 0 4xx, 0 5xx");
                System.out.printf("drain: SIGTERM -> readiness failed at once, listener closed after %d ms (min 1 s), "
                        + "exit 0 after %d ms with two 2 s requests in flight; %d HTTP/1.1 requests under 8 clients of load, "
                        + "0 failed (load stopped %d ms after SIGTERM); HTTP/2 (h2load -c 4 -m 10): %s%n", closedAfter,
                        exitedAfter, load.ok.get(), TimeUnit.NANOSECONDS.toMillis(stopAccepting - t0),
                        h2loadOut.lines().filter(l -> l.startsWith("requests:")).findFirst().orElse("?"));
                assertThat(p.logText()).contains("drained in", ": 0 connection(s) left");
            } finally {
                p.close();
            }
        }
    }

    private static Cmd run(String... args) {
        try {
            return Cmd.run(30, args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
