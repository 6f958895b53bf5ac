package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The route actions and matchers beyond forwarding to one cluster, through the jar with curl: weighted clusters,
 * {@code direct_response}, {@code redirect}, {@code regex_rewrite}, query-parameter matchers.
 */
class RouteActionsIT {
    @Test
    void weightedClustersRedirectsDirectResponsesRewritesAndQueryMatchers() throws Exception {
        try (Origin stable = new Origin("stable"); Origin canary = new Origin("canary");
             ProxyProcess p = ProxyProcess.start("route-actions", ProxyProcess.mainListenerConfig("""
                     - name: split
                       match: { prefix: /split }
                       route: { weighted_clusters: { clusters: [ { name: stable, weight: 80 }, { name: canary, weight: 20 } ] } }
                     - match: { prefix: /healthz }
                       direct_response: { status: 200, body: { inline_string: "ok from the proxy\\n" } }
                     - match: { prefix: /gone }
                       direct_response: { status: 410 }
                     - match: { prefix: /old/ }
                       redirect: { prefix_rewrite: /new/, response_code: PERMANENT_REDIRECT }
                     - match: { prefix: /login }
                       redirect: { https_redirect: true }
                     - match: { prefix: /users/ }
                       route: { cluster: stable, regex_rewrite: { pattern: { regex: "^/users/(\\\\d+)/profile$" }, substitution: "/profiles/\\\\1" } }
                     - match: { prefix: /q, query_parameters: [ { name: beta, string_match: { exact: "on" } } ] }
                       route: { cluster: canary }
                     - match: { prefix: /q }
                       route: { cluster: stable }
                     """, """
                     - { name: stable, endpoints: [ %s ] }
                     - { name: canary, endpoints: [ %s ] }
                     """.formatted(stable.address(), canary.address())))) {
            String base = "http://127.0.0.1:" + p.port("main");

            // weighted_clusters 80/20: 400 requests on one keep-alive connection (one curl, 400 URLs)
            String[] args = new String[400 + 3];
            args[0] = "-w";
            args[1] = "\n";
            args[2] = "--http1.1";
            for (int i = 0; i < 400; i++) {
                args[3 + i] = base + "/split/" + i;
            }
            Cmd split = Cmd.curlRun(args);
            assertThat(split.exit()).isZero();
            long toCanary = split.out().lines().filter(l -> l.equals("origin: canary")).count();
            long toStable = split.out().lines().filter(l -> l.equals("origin: stable")).count();
            System.out.println("weighted_clusters 80/20 over 400 requests: stable " + toStable + ", canary " + toCanary);
            assertThat(toStable + toCanary).isEqualTo(400);
            assertThat(toCanary).isBetween(50L, 110L); // expected 80, σ = 8

            // direct_response: answered by the proxy, for HTTP/1.1 (with a request body the proxy does not wait for:
            // the connection closes after the answer, and curl's second request opens a new one) and HTTP/2
            int before = stable.requests.get() + canary.requests.get();
            Cmd direct = Cmd.curlRun("--http1.1", "-d", "x".repeat(10_000), "-w", "|%{http_code}\n",
                    base + "/healthz", "-X", "GET", base + "/healthz");
            assertThat(direct.out()).isEqualTo("ok from the proxy\n|200\nok from the proxy\n|200\n");
            Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-D", "-", base + "/healthz");
            assertThat(h2.out()).startsWith("HTTP/2 200").contains("content-type: text/plain")
                    .contains("content-length: 18").endsWith("\r\n\r\nok from the proxy\n");
            Cmd gone = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code} %{size_download}", base + "/gone");
            assertThat(gone.out()).isEqualTo("410 0");
            assertThat(stable.requests.get() + canary.requests.get()).isEqualTo(before);

            // redirect
            Cmd moved = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base + "/old/a/b?c=1");
            assertThat(moved.out()).isEqualTo("308 http://127.0.0.1:" + p.port("main") + "/new/a/b?c=1");
            Cmd https = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: shop.example:80",
                    base + "/login?next=/cart");
            assertThat(https.out()).isEqualTo("301 https://shop.example/login?next=/cart");

            // regex_rewrite: the origin sees the rewritten path, the query kept
            Cmd rewritten = Cmd.curlRun(base + "/users/42/profile?tab=a");
            assertThat(rewritten.out()).contains("GET /profiles/42?tab=a\n");

            // query_parameters
            assertThat(Cmd.curlRun(base + "/q?beta=on").out()).startsWith("origin: canary\n");
            assertThat(Cmd.curlRun(base + "/q?beta=off").out()).startsWith("origin: stable\n");
            assertThat(Cmd.curlRun(base + "/q?x=1&beta=%6Fn").out()).startsWith("origin: canary\n");

            // GET /debug/route on the admin: the live explanation, text and JSON
            var explained = p.adminGet("/debug/route?authority=shop.local&path=/q%3Fbeta%3Doff&header=x-a:%201");
            assertThat(explained.statusCode()).isEqualTo(200);
            assertThat(explained.body()).contains("request: GET http://shop.local/q?beta=off\n  x-a: 1\n")
                    .contains("query parameter beta: \"off\" is not exact \"on\"")
                    .contains("action: forward to cluster stable\n")
                    .contains("hosts of stable (round_robin): " + stable.address() + " (the only host)\n");
            var json = p.adminGet("/debug/route?authority=shop.local&path=/split&format=json");
            assertThat(json.body()).startsWith("{\"request\":\"GET http://shop.local/split\"")
                    .contains("\"action\":\"forward to weighted_clusters stable 80.0% canary 20.0%\"");
            assertThat(p.adminGet("/debug/route?listener=nope").statusCode()).isEqualTo(404);

            // the local answers sent nothing upstream: 400 split + 1 rewrite + 3 query requests in all
            assertThat(p.stat("cluster.stable.upstream_rq_total") + p.stat("cluster.canary.upstream_rq_total"))
                    .isEqualTo(400 + 1 + 3);
        }
    }
}
