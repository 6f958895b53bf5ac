package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line: run/validate on good and bad configs, --version, --help. */
class CliIT {
    static final String GOOD = """
            listeners:
              - name: main
                address: 127.0.0.1:0
                virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes: [ { match: { prefix: / }, route: { cluster: c } } ]
            clusters:
              - { name: c, endpoints: [ 127.0.0.1:9 ] }
            """;

    static Path write(String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("cli"));
        return Files.writeString(dir.resolve(name), yaml);
    }

    static Cmd outrigger(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = ProxyProcess.javaBin();
        cmd[1] = "-jar";
        cmd[2] = ProxyProcess.JAR.toAbsolutePath().toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Cmd.run(60, cmd);
    }

    @Test
    void waitReadyBlocksUntilTheProxyIsReadyAndGivesUpAtItsTimeout() throws Exception {
        int adminPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            adminPort = s.getLocalPort(); // free now; nothing listens there yet
        }
        Cmd gaveUp = outrigger("wait-ready", "--admin", "127.0.0.1:" + adminPort, "--timeout", "500ms");
        assertThat(gaveUp.exit()).isEqualTo(1);
        assertThat(gaveUp.err()).contains("not ready after 500ms: 127.0.0.1:" + adminPort + "/ready");

        // the app's entrypoint starts first and waits; the sidecar comes up after it
        java.util.concurrent.CompletableFuture<Cmd> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return outrigger("wait-ready", "--admin", "127.0.0.1:" + adminPort, "--timeout", "30s");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("wait-ready", ProxyProcess.catchAllConfig("{ cluster: o }",
                     "- { name: o, endpoints: [ " + o.address() + " ] }").replace("admin: { address: 127.0.0.1:0 }",
                     "admin: { address: 127.0.0.1:" + adminPort + " }"))) {
            Cmd ready = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ready.exit()).as(ready.err()).isZero();
            assertThat(ready.out()).contains("ready: 127.0.0.1:" + adminPort);
            assertThat(p.adminGet("/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void invalidConfigExits1AndPrintsFileLineColumn() throws Exception {
        Path bad = write("bad.yaml", GOOD.replace("{ name: c, endpoints", "{ name: c, lb_policy: ringhash, endpoints")
                .replace("route: { cluster: c }", "route: { cluster: nope }")
                .replace("http_filters: []", "") + "unknown_top: 1\n");
        Cmd run = outrigger("run", "-c", bad.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(bad + ":7:61: listeners[0].virtual_hosts[0].routes[0].route.cluster: 'nope'");
        assertThat(run.err()).contains(bad + ":9:27: clusters[0].lb_policy: 'ringhash' (expected: one of round_robin, least_request, random, ring_hash, maglev)");
        assertThat(run.err()).contains(bad + ":10:1: unknown_top: unknown key 'unknown_top'");
        assertThat(run.err()).contains("3 error(s)");

        Cmd validate = outrigger("validate", "-c", bad.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.err()).isEqualTo(run.err());
    }

    @Test
    void filterSettingsAreValidatedWithLocations() throws Exception {
        Path bad = write("filters.yaml", GOOD.replace("    virtual_hosts:\n",
                "    http_filters:\n"
                + "      - name: headerz\n"
                + "      - name: headers\n"
                + "        config: { request_headers_to_add: { \"bad name\": x }, reponse_headers_to_add: {} }\n"
                + "    virtual_hosts:\n"));
        Cmd r = outrigger("validate", "-c", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(bad + ":5:15: listeners[0].http_filters[0].name: 'headerz' (expected: one of buffer, cache, compressor, cors, decompressor, ext_authz, fault, headers, health_check, jwt_authn, local_ratelimit, rbac)");
        assertThat(r.err()).contains(bad + ":7:45: listeners[0].http_filters[1].config.request_headers_to_add.bad name: 'bad name' (expected: a header name");
        assertThat(r.err()).contains("unknown key 'reponse_headers_to_add' (did you mean 'response_headers_to_add'?)");
    }

    @Test
    void validConfigExits0WithASummary() throws Exception {
        Path good = write("good.yaml", GOOD);
        Cmd r = outrigger("validate", "-c", good.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(good + ": valid (1 listeners, 1 routes, 1 clusters)\n");
    }

    @Test
    void routeAndTestRoutesWorkWithoutTheCertificatesAndValidateWarns() throws Exception {
        // a TLS listener whose certificate files do not exist here (a CI without secrets): route and test-routes still
        // run; validate and run refuse the config
        Path config = write("routes.yaml", """
                listeners:
                  - name: edge
                    address: 127.0.0.1:0
                    tls: { certificates: [ { certificate_chain: /secrets/absent.crt, private_key: /secrets/absent.key } ] }
                    virtual_hosts:
                      - name: shop
                        domains: ["shop.example.com"]
                        routes:
                          - { name: carts, match: { prefix: /carts/ }, route: { cluster: carts, hash_policy: [ { header: { header_name: x-user-id } } ] } }
                          - { match: { prefix: /carts/export }, route: { cluster: carts } }
                          - { match: { prefix: / }, redirect: { path_redirect: /carts/ } }
                clusters:
                  - { name: carts, lb_policy: maglev, endpoints: [ 127.0.0.1:9101, 127.0.0.1:9102, 127.0.0.1:9103 ] }
                """);
        Cmd route = outrigger("route", "-c", config.toString(), "-r", "GET http://shop.example.com/carts/1", "-H",
                "x-user-id: 7");
        assertThat(route.exit()).as(route.err()).isZero();
        assertThat(route.out()).contains("virtual host: shop (\"shop.example.com\" exact)\n")
                .contains("   1. carts  MATCH\n").contains("action: forward to cluster carts\n")
                .containsPattern("hosts of carts \\(maglev\\): 127\\.0\\.0\\.1:910[123] then 127\\.0\\.0\\.1:910[123] then "
                        + "127\\.0\\.0\\.1:910[123] \\(retries walk this order\\)");
        Cmd miss = outrigger("route", "-c", config.toString(), "-r", "GET http://other.example.com/", "--json");
        assertThat(miss.exit()).isEqualTo(1); // no virtual host: 404
        assertThat(miss.out()).startsWith("{\"request\":\"GET http://other.example.com/\"").contains("\"virtual_host\":null");

        Path tests = write("route-tests.json", """
                {"tests": [
                  {"test_name": "carts", "input": {"authority": "shop.example.com", "path": "/carts/9", "method": "GET"},
                   "validate": {"cluster_name": "carts", "virtual_host_name": "shop"}},
                  {"test_name": "home redirects", "input": {"authority": "shop.example.com", "path": "/", "method": "GET", "ssl": true},
                   "validate": {"path_redirect": "https://shop.example.com/carts/", "code_redirect": 301}}
                ]}
                """);
        Cmd pass = outrigger("test-routes", "-c", config.toString(), tests.toString());
        assertThat(pass.exit()).as(pass.out() + pass.err()).isZero();
        assertThat(pass.out()).isEqualTo("""
                PASS  carts
                PASS  home redirects
                coverage: 2 of 3 routes (66.7%)
                not covered by any test:
                  shop #2 prefix /carts/export
                2 passed, 0 failed
                """);
        Path failing = write("route-tests-failing.yaml", """
                tests:
                  - test_name: wrong cluster
                    input: { authority: shop.example.com, path: /carts/export/1 }
                    validate: { cluster_name: exports }
                """);
        Cmd fail = outrigger("test-routes", "-c", config.toString(), failing.toString());
        assertThat(fail.exit()).isEqualTo(1);
        assertThat(fail.out()).contains("FAIL  wrong cluster\n      cluster_name: expected \"exports\", got \"carts\"\n");
        Path broken = write("route-tests-broken.yaml", "tests:\n  - test_name: x\n    input: { authority: a, path: b }\n");
        Cmd bad = outrigger("test-routes", "-c", config.toString(), broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains(broken + ":2:5: tests[0]: missing required key 'validate'")
                .contains(broken + ":3:34: tests[0].input.path: 'b' (expected: a path starting with '/')");

        Cmd validate = outrigger("validate", "-c", config.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.err()).contains("/secrets/absent.crt");
        Path noTls = write("routes-plain.yaml", Files.readString(config).replace(
                "    tls: { certificates: [ { certificate_chain: /secrets/absent.crt, private_key: /secrets/absent.key } ] }\n", ""));
        Cmd warn = outrigger("validate", "-c", noTls.toString());
        assertThat(warn.exit()).isZero();
        assertThat(warn.out()).isEqualTo(noTls + ":9:13: listeners[0].virtual_hosts[0].routes[1]: warning: this route can "
                + "never match: routes[0] (line 8) before it matches every request it would (first match wins)\n"
                + noTls + ": valid (1 listeners, 3 routes, 1 clusters), 1 warning(s)\n");
    }

    @Test
    void theExamplesValidateAndTheirRouteTestsPass() throws Exception {
        Path examples = Path.of("../examples").toAbsolutePath().normalize();
        Cmd validate = outrigger("validate", "-c", examples.resolve("outrigger.yaml").toString());
        assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
        assertThat(validate.out()).doesNotContain("warning");
        Cmd tests = outrigger("test-routes", "-c", examples.resolve("outrigger.yaml").toString(),
                examples.resolve("route-tests.yaml").toString());
        assertThat(tests.exit()).as(tests.out() + tests.err()).isZero();
        assertThat(tests.out()).endsWith("coverage: 4 of 4 routes (100.0%)\n4 passed, 0 failed\n");
    }

    @Test
    void versionAndHelp() throws Exception {
        assertThat(outrigger("--version").out()).startsWith("outrigger 0.1.0");
        Cmd help = outrigger("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("run").contains("validate").contains("route").contains("test-routes").contains("demo");
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The README's first command: the demo (here with --tls too), its routing, its traces and its dashboard. */
    @Test
    void demoServesRoutesTracesAndTheDashboard() throws Exception {
        int port = freePort();
        int admin = freePort();
        int tls = freePort();
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("demo-" + System.nanoTime()));
        Path out = dir.resolve("demo.out");
        Process demo = new ProcessBuilder(ProxyProcess.javaBin(), "-Dio.netty.leakDetection.level=paranoid", "-jar",
                ProxyProcess.JAR.toAbsolutePath().toString(), "demo", "--port", "" + port, "--admin-port", "" + admin,
                "--tls", "--tls-port", "" + tls, "--certs-dir", dir.resolve("certs").toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            TlsIT.waitUntil(() -> Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:" + port + "/hello").out().equals("200"));
            String first = Cmd.curlRun("-H", "x-user-id: alice", "http://127.0.0.1:" + port + "/hello").out().lines().findFirst().orElse("");
            assertThat(first).startsWith("origin: ");
            for (int i = 0; i < 3; i++) { // same user, same origin
                assertThat(Cmd.curlRun("-H", "x-user-id: alice", "http://127.0.0.1:" + port + "/hello").out()).startsWith(first + "\n");
            }
            Cmd https = Cmd.curlRun("--cacert", dir.resolve("certs/ca.crt").toString(), "-o", "/dev/null", "-w", "%{http_code}",
                    "--resolve", "localhost:" + tls + ":127.0.0.1", "https://localhost:" + tls + "/hello");
            assertThat(https.out()).as(https.err()).isEqualTo("200");
            assertThat(Cmd.curlRun("http://127.0.0.1:" + admin + "/").out()).contains("<title>Outrigger admin</title>");
            // the embedded config traces every request to stdout (OTLP JSON lines, batched once a second)
            TlsIT.waitUntil(() -> Files.readString(out).contains("{\"resourceSpans\":["));
            assertThat(Files.readString(out)).doesNotContain("LEAK:", "ERROR");
        } finally {
            demo.destroy();
            demo.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
