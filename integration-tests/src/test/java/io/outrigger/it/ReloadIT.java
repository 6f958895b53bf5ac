package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Live reload through the jar: the config file rewritten under load (a cluster changed, a listener added, then
 * removed), a broken file, {@code POST /reload} and SIGHUP — no request fails, a WebSocket on an unchanged route lives
 * through all of it, and a broken file never replaces the running config.
 */
class ReloadIT {
    private static String config(String webEndpoints, boolean extraListener, String ws) {
        return """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: main
                    address: 127.0.0.1:0
                    access_log: []
                    virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                          - { match: { prefix: /ws }, route: { cluster: ws } }
                          - { match: { prefix: / }, route: { cluster: web, hash_policy: [ { header: { header_name: x-user-id } } ] } }
                """ + (extraListener ? """
                  - name: extra
                    address: 127.0.0.1:0
                    access_log: []
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: extra } } } ] } ]
                """ : "") + """
                clusters:
                  - { name: web, lb_policy: ring_hash, endpoints: [ %s ] }
                  - { name: ws, endpoints: [ %s ] }
                """.formatted(webEndpoints, ws);
    }

    private static JsonNode lastChange(ProxyProcess p) throws Exception {
        JsonNode hash = new ObjectMapper().readTree(p.adminGet("/debug/hash?cluster=web&format=json").body());
        assertThat(hash.path("host_set_changes").size()).as(hash.toString()).isPositive();
        return hash.path("host_set_changes").get(0); // newest first
    }

    @Test
    void aConfigMapStyleSymlinkSwapIsSeen() throws Exception {
        // Kubernetes mounts a ConfigMap as DIR/outrigger.yaml -> ..data/outrigger.yaml, ..data -> ..TIMESTAMP; an update
        // writes a new ..TIMESTAMP directory and renames a new ..data symlink over the old one
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("configmap-" + System.nanoTime()));
        Path v1 = Files.createDirectories(dir.resolve("..2026_11_30_v1"));
        Files.writeString(v1.resolve("outrigger.yaml"), ProxyProcess.mainListenerConfig(
                "- { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: one } } }\n", "[]\n"));
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(dir.resolve("outrigger.yaml"), Path.of("..data", "outrigger.yaml"));
        try (ProxyProcess p = ProxyProcess.startFile(dir, dir.resolve("outrigger.yaml"), ProxyProcess.DEFAULT_RUN_OPTIONS)) {
            String url = "http://127.0.0.1:" + p.port("main") + "/";
            assertThat(Cmd.curlRun("-s", url).out()).isEqualTo("one");
            Path v2 = Files.createDirectories(dir.resolve("..2026_11_30_v2"));
            Files.writeString(v2.resolve("outrigger.yaml"), ProxyProcess.mainListenerConfig(
                    "- { match: { prefix: / }, direct_response: { status: 200, body: { inline_string: two } } }\n", "[]\n"));
            Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            TlsIT.waitUntil(() -> p.stat("server.config_version") == 2);
            assertThat(Cmd.curlRun("-s", url).out()).isEqualTo("two");
        }
    }

    @Test
    void routesClustersAndListenersChangeUnderLoadWithoutAFailureAndABrokenFileKeepsTheRunningConfig() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); WebSocketOrigin ws = new WebSocketOrigin();
             ProxyProcess p = ProxyProcess.start("reload", config(a.address(), false, ws.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            StreamsIT.Received received = new StreamsIT.Received();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + p.port("main") + "/ws"), received).join();
            socket.sendText("before", true).join();
            assertThat(received.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("before");
            long started = System.nanoTime();
            int bBefore;
            LoadClient load = new LoadClient(base, 4, 100);
            try {
                TlsIT.waitUntil(() -> load.ok.get() > 200);
                // 1. the cluster gains a host and a listener is added
                Files.writeString(p.config, config(a.address() + ", " + b.address(), true, ws.address()));
                TlsIT.waitUntil(() -> p.stat("server.config_version") == 2);
                System.out.printf("reload: file written -> version 2 in force after %d ms (debounce 200 ms)%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)); // includes the load warm-up
                TlsIT.waitUntil(() -> b.requests.get() > 50);
                JsonNode added = lastChange(p);
                HttpClient plain = HttpClient.newHttpClient();
                int extraPort = p.port("extra");
                assertThat(plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + extraPort + "/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("extra");
                // 2. a broken file: counted, logged with its location, and nothing changes
                Files.writeString(p.config, config(a.address(), false, ws.address()).replace("routes:", "routes: [oops"));
                TlsIT.waitUntil(() -> p.stat("server.config_reload_failed") == 1);
                assertThat(p.stat("server.config_version")).isEqualTo(2);
                assertThat(p.logText()).containsPattern("outrigger\\.yaml:\\d+:\\d+: ");
                HttpResponse<String> rejected = plain.send(HttpRequest.newBuilder(URI.create("http://" + p.admin + "/reload"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(rejected.statusCode()).isEqualTo(400);
                assertThat(rejected.body()).contains("\"outcome\":\"rejected\"", "\"version\":2", "outrigger.yaml:");
                // 3. the listener is removed, the cluster loses b again
                Files.writeString(p.config, config(a.address(), false, ws.address()));
                TlsIT.waitUntil(() -> p.stat("server.config_version") == 3);
                int bAt = b.requests.get();
                TlsIT.waitUntil(() -> {
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", extraPort)) {
                        return false;
                    } catch (java.io.IOException refused) {
                        return true;
                    }
                });
                int okAt = load.ok.get();
                TlsIT.waitUntil(() -> load.ok.get() > okAt + 200);
                bBefore = b.requests.get();
                JsonNode removed = lastChange(p);
                // the ring hashes hosts by address: a one-host change moves only that host's keys
                assertThat(added.path("reason").asText()).isEqualTo("reload: +" + b.address());
                assertThat(added.path("moved_fraction").asDouble()).isBetween(0.35, 0.65); // a half, in theory
                assertThat(removed.path("moved_fraction").asDouble()).isBetween(0.35, 0.65);
                added.path("flows").forEach(f -> assertThat(f.path("to").asText()).isEqualTo(b.address()));
                assertThat(removed.path("reason").asText()).isEqualTo("reload: -" + b.address());
                removed.path("flows").forEach(f -> assertThat(f.path("from").asText()).isEqualTo(b.address()));
                System.out.printf("reload: adding a second host moved %.1f %% of keys (all to it), removing it %.1f %% "
                        + "(all from it)%n", 100 * added.path("moved_fraction").asDouble(),
                        100 * removed.path("moved_fraction").asDouble());
                assertThat(bBefore - bAt).as("b gets nothing after its removal but requests in flight").isLessThan(5);
            } finally {
                load.close();
            }
            System.out.printf("reload: %d requests under load through three reloads and two rejected files, %d failed%n",
                    load.ok.get(), load.failures.size());
            assertThat(load.failures).isEmpty();
            // 4. SIGHUP and POST /reload with a file that means the same: nothing changes
            Files.writeString(p.config, "# reformatted\n" + config(a.address(), false, ws.address()).replace("  - { name: ws", "\n  - { name: ws"));
            p.signal("HUP");
            TlsIT.waitUntil(() -> p.logText().contains("config reload (SIGHUP):"));
            assertThat(p.stat("server.config_version")).isEqualTo(3);
            // the WebSocket on the unchanged route lived through every reload
            socket.sendText("after", true).join();
            assertThat(received.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("after");
            assertThat(received.closed).isNotDone();
            assertThat(p.adminGet("/config_dump").body()).contains("\"version_info\":\"3\"");
            assertThat(p.adminGet("/server_info").body()).contains("config_version: 3");
            assertThat(p.adminGet("/stats/prometheus").body()).contains("outrigger_server_config_reload_total 2.0",
                    "outrigger_server_config_reload_failed_total 2.0");
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }
}
