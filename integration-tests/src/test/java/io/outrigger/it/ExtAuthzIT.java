package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** ext_authz through the jar against a real authorization service (the JDK's HTTP server), with curl. */
class ExtAuthzIT {
    @Test
    void theServiceDecidesItsHeadersGoUpstreamOrToTheClientAndFailuresFollowTheFailureMode() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer authz = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        authz.setExecutor(Executors.newFixedThreadPool(4));
        authz.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("authorization");
            asked.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " caller=" + ex.getRequestHeaders().getFirst("x-authz-caller")
                    + " cookie=" + ex.getRequestHeaders().getFirst("cookie") + " other=" + ex.getRequestHeaders().getFirst("x-other"));
            try {
                if ("Bearer good".equals(auth)) {
                    ex.getResponseHeaders().set("x-user-id", "u1");
                    ex.getResponseHeaders().set("x-internal-secret", "no");
                    ex.sendResponseHeaders(200, -1);
                } else if ("Bearer slow".equals(auth)) {
                    Thread.sleep(3000);
                    ex.sendResponseHeaders(200, -1);
                } else {
                    byte[] b = "denied by policy".getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().set("www-authenticate", "Bearer realm=\"shop\"");
                    ex.getResponseHeaders().set("x-internal-secret", "no");
                    ex.sendResponseHeaders(401, b.length);
                    ex.getResponseBody().write(b);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        authz.start();
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("ext-authz", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - name: ext_authz
                             config:
                               http_service:
                                 server_uri: { uri: "http://127.0.0.1:%1$d", timeout: 1s }
                                 path_prefix: /check
                                 authorization_request:
                                   allowed_headers: { patterns: [ { exact: cookie } ] }
                                   headers_to_add: [ { key: x-authz-caller, value: outrigger } ]
                                 authorization_response:
                                   allowed_upstream_headers: { patterns: [ { exact: x-user-id } ] }
                                   allowed_client_headers: { patterns: [ { exact: www-authenticate } ] }
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /public/ }
                                 route: { cluster: o }
                                 typed_per_filter_config: { ext_authz: { disabled: true } }
                               - { match: { prefix: / }, route: { cluster: o } }
                       - name: lenient
                         address: 127.0.0.1:0
                         http_filters:
                           - name: ext_authz
                             config:
                               http_service: { server_uri: { uri: "http://127.0.0.1:1", timeout: 0.3s } }
                               failure_mode_allow: true
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %2$s ] }
                     """.formatted(authz.getAddress().getPort(), o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            assertThat(Await.until(java.time.Duration.ofSeconds(10), () -> asked.stream().anyMatch(a -> a.startsWith("HEAD "))))
                    .as("the client warmed up at config load").isTrue();
            asked.clear();
            Cmd ok = Cmd.curlRun("-s", "-H", "authorization: Bearer good", "-H", "cookie: s=1", "-H", "x-other: 2",
                    base + "/api/orders?x=1");
            assertThat(ok.out()).contains("origin: o", "x-user-id: u1").doesNotContain("x-internal-secret");
            assertThat(asked).containsExactly("GET /check/api/orders?x=1 caller=outrigger cookie=s=1 other=null");

            int before = o.requests.get();
            Cmd denied = Cmd.curlRun("-s", "-i", "-H", "authorization: Bearer bad", base + "/api/orders");
            assertThat(denied.out()).startsWith("HTTP/1.1 401").contains("denied by policy")
                    .containsIgnoringCase("www-authenticate: Bearer realm=\"shop\"").doesNotContain("x-internal-secret");
            Cmd slow = Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "authorization: Bearer slow",
                    base + "/api/orders");
            assertThat(slow.out()).as("the service timed out: status_on_error").isEqualTo("403");
            assertThat(o.requests.get()).as("nothing refused reached the origin").isEqualTo(before);

            int asks = asked.size();
            assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/public/logo").out()).isEqualTo("200");
            assertThat(asked).as("disabled on that route").hasSize(asks);

            Cmd lenient = Cmd.curlRun("-s", "http://127.0.0.1:" + p.port("lenient") + "/x");
            assertThat(lenient.out()).contains("origin: o", "x-outrigger-auth-failure-mode-allowed: true");
            assertThat(p.stat("ext_authz.ok")).isEqualTo(1);
            assertThat(p.stat("ext_authz.denied")).isEqualTo(1);
            assertThat(p.stat("ext_authz.error")).isEqualTo(2);
            assertThat(p.stat("ext_authz.failure_mode_allowed")).isEqualTo(1);
            assertThat(p.awaitLog(l -> l.contains("\"GET /api/orders HTTP/1.1\" 401 UAEX"))).isTrue();
        } finally {
            authz.stop(0);
        }
    }

    @Test
    void withRequestBodyTheServiceSeesTheBodyOrItsFirstBytes() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer authz = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        authz.setExecutor(Executors.newFixedThreadPool(4));
        authz.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (ex.getRequestMethod().equals("HEAD")) { // the proxy's warm-up when it loads the config
                ex.sendResponseHeaders(200, -1);
                ex.close();
                return;
            }
            asked.add(ex.getRequestMethod() + " body=" + body + " partial="
                    + ex.getRequestHeaders().getFirst("x-outrigger-auth-partial-body"));
            ex.sendResponseHeaders(body.contains("deny") ? 403 : 200, -1);
            ex.close();
        });
        authz.start();
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("ext-authz-body", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: partial
                         address: 127.0.0.1:0
                         http_filters:
                           - name: ext_authz
                             config:
                               http_service: { server_uri: { uri: "http://127.0.0.1:%1$d", timeout: 2s } }
                               with_request_body: { max_request_bytes: 16, allow_partial_message: true }
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                       - name: whole
                         address: 127.0.0.1:0
                         http_filters:
                           - name: ext_authz
                             config:
                               http_service: { server_uri: { uri: "http://127.0.0.1:%1$d", timeout: 2s } }
                               with_request_body: { max_request_bytes: 16 }
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %2$s ] }
                     """.formatted(authz.getAddress().getPort(), o.address()))) {
            String partial = "http://127.0.0.1:" + p.port("partial");
            String whole = "http://127.0.0.1:" + p.port("whole");
            assertThat(Cmd.curlRun("-s", "--data-binary", "hello", partial + "/upload").out()).isEqualTo("received 5\n");
            assertThat(Cmd.curlRun("-s", "-H", "transfer-encoding: chunked", "--data-binary", "x".repeat(40),
                    partial + "/upload").out()).as("the upstream gets the whole body").isEqualTo("received 40\n");
            int before = o.requests.get();
            assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "please deny",
                    partial + "/upload").out()).isEqualTo("403");
            assertThat(o.requests.get()).isEqualTo(before);
            assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "y".repeat(40),
                    whole + "/upload").out()).as("too large for the check, no partial bodies").isEqualTo("413");
            assertThat(o.requests.get()).isEqualTo(before);
            assertThat(Cmd.curlRun("-s", whole + "/x").out()).contains("origin: o");
            assertThat(asked).containsExactly("POST body=hello partial=false", "POST body=" + "x".repeat(16) + " partial=true",
                    "POST body=please deny partial=false", "GET body= partial=false");
        } finally {
            authz.stop(0);
        }
    }
}
