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
import org.junit.jupiter.api.Test;

/** Upstream failures become quick local replies: 503, 502, 504, and 503 with x-outrigger-overloaded. */
class FailureIT {
    static String config(String clusters) {
        return ProxyProcess.mainListenerConfig("""
                - match: { prefix: /timeout/ }
                  route: { cluster: target, timeout: 300ms, prefix_rewrite: / }
                - match: { prefix: / }
                  route: { cluster: target }
                """, "") + clusters; // cluster items come indented ("  - ...")
    }

    @Test
    void stoppedOriginGives503NotAHang() throws Exception {
        Origin origin = new Origin("soon-gone");
        try (ProxyProcess proxy = ProxyProcess.start("stopped", config("  - { name: target, endpoints: [ "
                + origin.address() + " ], connect_timeout: 1s }\n"))) {
            String url = "http://127.0.0.1:" + proxy.port("main") + "/";
            assertThat(Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", url).out()).isEqualTo("200");
            origin.close();
            long start = System.nanoTime();
            Cmd r = Cmd.curlRun("-w", " %{http_code}", url);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.out()).contains("upstream connect error").endsWith(" 503");
            assertThat(ms).as("answered without waiting for a timeout").isLessThan(3000);
            Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", url);
            assertThat(h2.out()).isEqualTo("503");
            assertThat(proxy.awaitLog(l -> l.contains("\"GET / HTTP/1.1\" 503 UF "))).as("access log line").isTrue();
        }
    }

    @Test
    void routeTimeoutGives504() throws Exception {
        try (Origin origin = new Origin("slow");
             ProxyProcess proxy = ProxyProcess.start("timeout", config("  - { name: target, endpoints: [ "
                     + origin.address() + " ] }\n"))) {
            Cmd r = Cmd.curlRun("-w", " %{http_code}", "http://127.0.0.1:" + proxy.port("main") + "/timeout/slow/3000");
            assertThat(r.out()).contains("upstream request timeout").endsWith(" 504");
        }
    }

    @Test
    void upstreamResetBeforeResponseGives502() throws Exception {
        try (ServerSocket rude = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!rude.isClosed()) {
                    try (Socket s = rude.accept()) {
                        InputStream in = s.getInputStream();
                        in.read(new byte[4096]); // read the request, then hang up without answering
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            try (ProxyProcess proxy = ProxyProcess.start("reset", config("  - { name: target, endpoints: [ 127.0.0.1:"
                    + rude.getLocalPort() + " ] }\n"))) {
                Cmd r = Cmd.curlRun("-w", " %{http_code}", "http://127.0.0.1:" + proxy.port("main") + "/");
                assertThat(r.out()).contains("reset before headers").endsWith(" 502");
            }
        }
    }

    @Test
    void pendingQueueOverflowGives503WithOverloadedHeader() throws Exception {
        try (Origin origin = new Origin("busy");
             ProxyProcess proxy = ProxyProcess.start("overflow", config("  - name: target\n    endpoints: [ "
                     + origin.address() + " ]\n    connection_pool: { max_connections: 1, max_pending_requests: 1 }\n"))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + proxy.port("main") + "/slow/1500");
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.headers().firstValue("x-outrigger-overloaded")).hasValue("true");
                    overloaded++;
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(1);
            assertThat(overloaded).isGreaterThanOrEqualTo(1);
            assertThat(proxy.awaitLog(l -> l.contains(" 503 UO "))).as("access log line").isTrue();
        }
    }
}
