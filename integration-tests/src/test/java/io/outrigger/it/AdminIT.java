package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Per-listener access logs and the operational admin endpoints. */
class AdminIT {
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static HttpResponse<String> post(ProxyProcess p, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + p.admin + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * How a pod exposes probes and metrics but nothing that changes the proxy: the admin stays on loopback, and an
     * ordinary listener (in a pod: {@code 0.0.0.0:15021}) routes exactly {@code /ready} and {@code /stats/prometheus}
     * to a cluster that is the admin address — Envoy's own pattern, so no admin code decides who may call what.
     */
    @Test
    void aProbeListenerExposesOnlyReadyAndPrometheusWhileTheAdminStaysOnLoopback() throws Exception {
        int adminPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            adminPort = s.getLocalPort();
        }
        try (ProxyProcess proxy = ProxyProcess.start("probes", """
                admin: { address: 127.0.0.1:%1$d }
                listeners:
                  - name: probes
                    address: 127.0.0.1:0
                    access_log: []
                    virtual_hosts:
                      - name: probes
                        domains: ["*"]
                        routes:
                          - { match: { path: /ready }, route: { cluster: admin } }
                          - { match: { path: /stats/prometheus }, route: { cluster: admin } }
                clusters:
                  - { name: admin, endpoints: [ 127.0.0.1:%1$d ] }
                """.formatted(adminPort))) {
            String probes = "http://127.0.0.1:" + proxy.port("probes");
            HttpResponse<String> ready = CLIENT.send(HttpRequest.newBuilder(URI.create(probes + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("LIVE\n");
            assertThat(CLIENT.send(HttpRequest.newBuilder(URI.create(probes + "/stats/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("outrigger_downstream_cx_total");
            for (String path : new String[] {"/healthcheck/fail", "/drain_listeners", "/reload", "/logging?level=trace"}) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(probes + path))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(404);
            }
            assertThat(CLIENT.send(HttpRequest.newBuilder(URI.create(probes + "/config_dump")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            assertThat(proxy.adminGet("/ready").statusCode()).as("nothing changed the proxy").isEqualTo(200);
        }
    }

    @Test
    void jsonAccessLogToAFileAndNoneWhereDisabled() throws Exception {
        Path log = Files.createDirectories(ProxyProcess.WORK).resolve("access-" + System.nanoTime() + ".jsonl");
        try (Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("accesslog", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: logged
                         address: 127.0.0.1:0
                         access_log: [ { path: %1$s, format: json } ]
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                       - name: quiet
                         address: 127.0.0.1:0
                         access_log: []
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %2$s ] }
                     """.formatted(log, o.address()))) {
            Cmd.curlRun("http://127.0.0.1:" + proxy.port("logged") + "/a?q=x", "-H", "x-request-id: json-1", "-H", "user-agent: t\"ua");
            Cmd.curlRun("http://127.0.0.1:" + proxy.port("quiet") + "/b", "-H", "x-request-id: quiet-1");
            TlsIT.waitUntil(() -> Files.exists(log) && Files.readString(log).contains("json-1"));
            String line = Files.readString(log).lines().filter(l -> l.contains("json-1")).findFirst().orElseThrow();
            assertThat(line).startsWith("{\"start_time\":\"").contains("\"method\":\"GET\"", "\"path\":\"/a?q=x\"",
                    "\"protocol\":\"HTTP/1.1\"", "\"response_code\":200", "\"response_flags\":\"-\"", "\"user_agent\":\"t\\\"ua\"",
                    "\"request_id\":\"json-1\"", "\"upstream_cluster\":\"o\"", "\"upstream_host\":\"127.0.0.1:" + o.port() + "\"",
                    "\"listener\":\"logged\"").endsWith("}");
            assertThat(Files.readString(log)).doesNotContain("quiet-1");
            proxy.signal("TERM"); // stdout's access log is written in batches; shutting down writes what is queued
            assertThat(proxy.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.logText()).contains("drained in") // the whole shutdown's output is there
                    .doesNotContain("quiet-1").doesNotContain("json-1"); // nothing on stdout either
        }
    }

    @Test
    void readinessStatsLoggingAndDraining() throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("admin", ProxyProcess.catchAllConfig("{ cluster: o }",
                     "- { name: o, endpoints: [ " + o.address() + " ], health_check: { path: /healthz, interval: 100ms } }"))) {
            int port = proxy.port("main");
            Cmd.curlRun("http://127.0.0.1:" + port + "/x");
            assertThat(proxy.adminGet("/stats").body()).contains("cluster.o.upstream_rq_total: 1", "cluster.o.membership_healthy: 1");
            HttpResponse<String> json = proxy.adminGet("/stats?format=json");
            assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(json.body()).startsWith("{\"stats\":[").contains("{\"name\":\"cluster.o.upstream_rq_total\",\"value\":1}");

            HttpResponse<String> prom = proxy.adminGet("/stats/prometheus");
            assertThat(prom.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
            assertThat(prom.body()).contains(
                    "outrigger_downstream_rq_total{listener=\"main\",protocol=\"HTTP/1.1\",response_code_class=\"2xx\"} 1.0",
                    "outrigger_upstream_rq_total{cluster=\"o\",response_code_class=\"2xx\"} 1.0",
                    "outrigger_downstream_rq_time_seconds_count{listener=\"main\"} 1",
                    "outrigger_cluster_membership_healthy{cluster=\"o\"} 1.0",
                    "outrigger_downstream_cx_total{listener=\"main\"} 1.0");

            assertThat(proxy.adminGet("/listeners").body()).isEqualTo("main::127.0.0.1:" + port + "\n");
            String host = "o::" + o.address() + "::";
            assertThat(proxy.adminGet("/clusters").body()).contains("o::lb_policy::round_robin\n", host + "weight::1\n",
                    host + "health_flags::healthy\n", host + "ejections::0\n", host + "rq_active::0\n", host + "rq_total::1\n");
            assertThat(proxy.adminGet("/server_info").body()).containsPattern("version: \\S+\nuptime_ms: \\d+\nallocated_bytes: \\d+");
            assertThat(proxy.adminGet("/help").body()).contains("GET /stats/live\n", "POST /drain_listeners\n");
            // the dashboard's numbers move once a second
            TlsIT.waitUntil(() -> proxy.adminGet("/stats/live").body().contains("\"name\":\"main\",\"address\":\"127.0.0.1:" + port
                    + "\",\"requests\":1,\"errors\":0"));
            HttpResponse<String> live = proxy.adminGet("/stats/live");
            assertThat(live.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(live.body()).contains("\"ready\":true", "{\"address\":\"" + o.address() + "\",\"healthy\":true,"
                    + "\"health_flags\":\"healthy\",\"weight\":1,\"priority\":0,\"rq_active\":0,\"rq_total\":1,\"ejections\":0}");
            HttpResponse<String> page = proxy.adminGet("/");
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Outrigger admin</title>", "fetch(\"/stats/live\"")
                    .doesNotContainPattern("(src|href)=\"(https?:)?//"); // nothing from elsewhere

            HttpResponse<String> dump = proxy.adminGet("/config_dump");
            assertThat(dump.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(dump.body()).startsWith("{\"version_info\":\"1\",\"admin\":{\"address\":\"127.0.0.1:0\"}")
                    .contains("\"timeout\":\"15000ms\"", "\"connect_timeout\":\"5000ms\"", "\"max_requests\":1024",
                            "\"health_check\":{\"path\":\"/healthz\"",
                            "\"internal_address_config\":{\"cidr_ranges\":[\"127.0.0.0/8\",\"10.0.0.0/8\",",
                            "\"preserve_external_request_id\":false", "\"tracing\":null");

            assertThat(proxy.adminGet("/healthcheck/fail").statusCode()).isEqualTo(405); // changes need POST
            assertThat(post(proxy, "/healthcheck/fail").statusCode()).isEqualTo(200);
            assertThat(proxy.adminGet("/ready").statusCode()).isEqualTo(503);
            assertThat(Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + port + "/x").out())
                    .as("failing readiness does not stop traffic").isEqualTo("200");
            assertThat(post(proxy, "/healthcheck/ok").statusCode()).isEqualTo(200);
            assertThat(proxy.adminGet("/ready").statusCode()).isEqualTo(200);

            assertThat(post(proxy, "/logging?io.outrigger.router=debug").body()).contains("io.outrigger.router: debug");
            assertThat(post(proxy, "/logging?level=loud").statusCode()).isEqualTo(400);

            // a connection the proxy has accepted (one request done on it, kept alive by the client)
            HttpClient keepAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI app = URI.create("http://127.0.0.1:" + port + "/before");
            assertThat(keepAlive.send(HttpRequest.newBuilder(app).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            assertThat(post(proxy, "/drain_listeners").statusCode()).isEqualTo(200);
            assertThat(proxy.adminGet("/ready").statusCode()).isEqualTo(503);
            // the open connection still works after the drain
            assertThat(keepAlive.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/still")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            TlsIT.waitUntil(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return false;
                } catch (ConnectException e) {
                    return true; // no longer accepting
                }
            });
        }
    }
}
