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
import org.junit.jupiter.api.Test;

/** The load balancers through the jar, against real origins: least_request around a slow host, bounded-load hashing. */
class LoadBalancingIT {
    static String originOf(HttpResponse<String> r) {
        return r.body().lines().findFirst().orElse("");
    }

    /** {@code clients} concurrent clients, {@code each} requests each; how many each origin answered. */
    static Map<String, Integer> load(String url, int clients, int each, String header) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Integer> served = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            all.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
                        if (header != null) {
                            b.header("x-user-id", header);
                        }
                        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).isEqualTo(200);
                        served.merge(originOf(r), 1, Integer::sum);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get();
        return served;
    }

    @Test
    void leastRequestSendsLessToASlowHostAndBoundedLoadSpreadsAHotKey() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); Origin slow = new Origin("slow");
             FaultRelay slowPath = new FaultRelay(slow.port());
             Origin h1 = new Origin("h1"); Origin h2 = new Origin("h2"); Origin h3 = new Origin("h3");
             ProxyProcess p = ProxyProcess.start("lb", ProxyProcess.mainListenerConfig("""
                     - match: { prefix: /lr/ }
                       route: { cluster: lr, prefix_rewrite: / }
                     - match: { prefix: /hot/ }
                       route: { cluster: hot, prefix_rewrite: /, hash_policy: [ { header: { header_name: x-user-id } } ] }
                     - match: { prefix: /cold/ }
                       route: { cluster: cold, prefix_rewrite: /, hash_policy: [ { header: { header_name: x-user-id } } ] }
                     """, """
                     - { name: lr, lb_policy: least_request, endpoints: [ %s, %s, %s ] }
                     - { name: hot, lb_policy: ring_hash, hash_balance_factor: 125, endpoints: [ %s, %s, %s ] }
                     - { name: cold, lb_policy: ring_hash, endpoints: [ %s, %s, %s ] }
                     """.formatted(a.address(), b.address(), slowPath.address(), h1.address(), h2.address(), h3.address(),
                     h1.address(), h2.address(), h3.address())))) {
            slowPath.inject(Fault.LATENCY, 200, Integer.MAX_VALUE); // every answer of "slow" waits 200 ms
            String base = "http://127.0.0.1:" + p.port("main");

            // least_request: 6 clients × 25 requests; the slow host holds its requests longer, so it is drawn as the
            // busier one and loses (round robin would give it a third, 50)
            Map<String, Integer> lr = load(base + "/lr/x", 6, 25, null);
            System.out.println("least_request with one host 200 ms slower: " + lr);
            int slowShare = lr.getOrDefault("origin: slow", 0);
            assertThat(slowShare).isLessThanOrEqualTo(40) // a third would be 50; both draws land on it 1 time in 9
                    .isLessThan(lr.get("origin: a")).isLessThan(lr.get("origin: b"));

            // one key, 9 concurrent clients, each request 300 ms at the origin: without a bound all go to the key's
            // home host; with hash_balance_factor 125 (capacity ⌈1.25 × (m+1)/3⌉) the overflow spreads to the others
            Map<String, Integer> cold = load(base + "/cold/slow/300", 9, 4, "the-hot-user");
            Map<String, Integer> hot = load(base + "/hot/slow/300", 9, 4, "the-hot-user");
            System.out.println("one key, 9 clients: without bound " + cold + ", with hash_balance_factor 125 " + hot);
            assertThat(cold).hasSize(1);
            assertThat(hot.size()).isGreaterThanOrEqualTo(2);
            assertThat(hot.values().stream().mapToInt(Integer::intValue).max().orElse(0)).isLessThan(36);
        }
    }

    @Test
    void aGeneratedHashCookieKeepsEachCallerOnOneHost() throws Exception {
        try (Origin o1 = new Origin("o1"); Origin o2 = new Origin("o2"); Origin o3 = new Origin("o3"); Origin o4 = new Origin("o4");
             ProxyProcess p = ProxyProcess.start("cookie", ProxyProcess.catchAllConfig("""
                     { cluster: sticky, hash_policy: [ { cookie: { name: route, ttl: 3600s, path: /, attributes: [ { name: SameSite, value: Lax } ] } } ] }""",
                     "- { name: sticky, lb_policy: ring_hash, endpoints: [ %s, %s, %s, %s ] }".formatted(
                             o1.address(), o2.address(), o3.address(), o4.address())))) {
            String url = "http://127.0.0.1:" + p.port("main") + "/cart";
            java.util.Set<String> hostsUsed = new java.util.HashSet<>();
            for (int caller = 0; caller < 8; caller++) {
                java.nio.file.Path jar = java.nio.file.Files.createTempFile("cookies", ".txt");
                java.nio.file.Files.delete(jar); // curl creates it; -b on a missing file just turns the cookie engine on
                String[] args = new String[7 + 10];
                System.arraycopy(new String[] {"-D", "-", "-c", jar.toString(), "-b", jar.toString()}, 0, args, 0, 6);
                args[6] = "--http1.1";
                java.util.Arrays.fill(args, 7, args.length, url);
                Cmd r = Cmd.curlRun(args); // 10 requests in one curl: the cookie set by the first goes with the others
                assertThat(r.exit()).as(r.err()).isZero();
                List<String> origins = r.out().lines().filter(l -> l.startsWith("origin: ")).toList();
                List<String> setCookies = r.out().lines().filter(l -> l.toLowerCase().startsWith("set-cookie:")).toList();
                assertThat(origins).hasSize(10);
                assertThat(origins).as("caller " + caller + ": the first (generating) request and the rest on one host")
                        .containsOnly(origins.get(0));
                assertThat(setCookies).singleElement().asString()
                        .matches("(?i)set-cookie: route=[0-9a-f]{16}; Max-Age=3600; Expires=[^;]+; Path=/; HTTPOnly; SameSite=Lax\\s*");
                assertThat(java.nio.file.Files.readString(jar)).contains("\troute\t");
                hostsUsed.add(origins.get(0));
                java.nio.file.Files.deleteIfExists(jar);
            }
            System.out.println("8 callers with generated cookies landed on " + hostsUsed);
            // 8 random keys over 4 hosts: all on one host has probability 4 × (1/4)^8 ≈ 0.00006
            assertThat(hostsUsed).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    /** How many of {@code n} requests (one curl, one keep-alive connection) each origin answered. */
    static Map<String, Integer> burst(String url, int n) throws Exception {
        String[] args = new String[n + 1];
        args[0] = "--http1.1";
        java.util.Arrays.fill(args, 1, args.length, url);
        Cmd r = Cmd.curlRun(args);
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Integer> served = new java.util.TreeMap<>();
        r.out().lines().filter(l -> l.startsWith("origin: ")).forEach(l -> served.merge(l, 1, Integer::sum));
        return served;
    }

    @Test
    void slowStartRampsAHostThatComesBackHealthy() throws Exception {
        Origin a = new Origin("a");
        Origin b = new Origin("b");
        Origin c = new Origin("c");
        int bPort = b.port();
        Origin restarted = null;
        try (ProxyProcess p = ProxyProcess.start("slow-start", ProxyProcess.catchAllConfig("{ cluster: web }", """
                - name: web
                  endpoints: [ %s, %s, %s ]
                  round_robin_lb_config: { slow_start_config: { slow_start_window: 8s } }
                  health_check: { path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 2, healthy_threshold: 1 }
                """.formatted(a.address(), b.address(), c.address())))) {
            String url = "http://127.0.0.1:" + p.port("main") + "/x";
            b.terminate();
            assertThat(Await.until(Duration.ofSeconds(10), () -> !ResilienceIT.healthFlags(p, b).equals("healthy"))).isTrue();
            restarted = new Origin("b", bPort);
            Origin back = restarted;
            assertThat(Await.until(Duration.ofSeconds(10), () -> ResilienceIT.healthFlags(p, back).equals("healthy"))).isTrue();
            long healthyAt = System.nanoTime();
            String clusters = p.adminGet("/clusters").body();
            assertThat(clusters).containsPattern("web::127\\.0\\.0\\.1:" + bPort + "::slow_start_weight_factor::0\\.\\d{3}");
            Map<String, Integer> early = burst(url, 200);
            assertThat(p.adminGet("/clusters").body()).as("only b is ramping (no health-check flap of a or c)")
                    .doesNotContainPattern("127\\.0\\.0\\.1:(" + a.port() + "|" + c.port() + ")::slow_start");
            double t = (System.nanoTime() - healthyAt) / 1e9 + 0.2; // + the polls' lag: it turned healthy before we saw it
            // by the end of the burst b's factor is at most f = max(0.1, t / 8 s), so its share at most f / (2 + f);
            // the bound follows the time the burst really took (a slow CI machine makes it looser, not flaky)
            double f = Math.max(0.1, t / 8);
            double bound = 200 * f / (2 + f);
            System.out.printf("slow start: in the first %.1f s after coming back b answered %s of 200 (at most %.0f "
                    + "expected)%n", t, early, bound);
            assertThat(t).as("the burst must end within half the window for this check to mean something").isLessThan(4.0);
            assertThat(early.getOrDefault("origin: b", 0)).isLessThanOrEqualTo((int) Math.ceil(bound + 3 * Math.sqrt(bound) + 2));
            assertThat(Await.until(Duration.ofSeconds(12),
                    () -> !p.adminGet("/clusters").body().contains("slow_start_weight_factor"))).isTrue();
            Map<String, Integer> after = burst(url, 300);
            System.out.printf("slow start: after the window b answered %s of 300%n", after);
            assertThat(after.get("origin: b")).isBetween(75, 125); // a third
        } finally {
            a.close();
            c.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    private static double number(String json, String pattern) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(pattern).matcher(json);
        assertThat(m.find()).as(pattern + " in " + json).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void debugHashShowsSharesAndTheDisruptionOfHostSetChanges() throws Exception {
        Origin o1 = new Origin("o1");
        Origin o2 = new Origin("o2");
        Origin o3 = new Origin("o3");
        Origin o4 = new Origin("o4");
        int port3 = o3.port();
        Origin restarted = null;
        String endpoints = "[ %s, %s, %s, %s ]".formatted(o1.address(), o2.address(), o3.address(), o4.address());
        String hc = "health_check: { path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 2, healthy_threshold: 1 }";
        try (ProxyProcess p = ProxyProcess.start("debug-hash", ProxyProcess.mainListenerConfig("""
                - { match: { prefix: /ring }, route: { cluster: ring, hash_policy: [ { header: { header_name: x-user-id } } ] } }
                - { match: { prefix: /maglev }, route: { cluster: maglev, hash_policy: [ { header: { header_name: x-user-id } } ] } }
                """, """
                - { name: ring, lb_policy: ring_hash, endpoints: %1$s, %2$s }
                - { name: maglev, lb_policy: maglev, endpoints: %1$s, %2$s }
                - { name: rr, endpoints: %1$s }
                """.formatted(endpoints, hc)))) {
            String gone = "127.0.0.1:" + port3;
            double[] shareOfGone = new double[2];
            String[] clusters = {"ring", "maglev"};
            for (int i = 0; i < 2; i++) {
                String before = p.adminGet("/debug/hash?cluster=" + clusters[i] + "&format=json").body();
                assertThat(before).contains("\"host_set_changes\":[]");
                shareOfGone[i] = number(before, "\"address\":\"" + gone.replace(".", "\\.") + "\",\"weight\":1,\"hash_share\":([0-9.Ee-]+)");
            }
            String text = p.adminGet("/debug/hash?cluster=ring").body();
            assertThat(text).startsWith("cluster ring: ring_hash over 4 of 4 hosts, 16384 ring entries\n")
                    .contains("host-set changes: none since start");
            assertThat(p.adminGet("/debug/hash?cluster=rr").statusCode()).isEqualTo(400);
            assertThat(p.adminGet("/debug/hash?cluster=nope").body()).contains("hashing clusters: ring, maglev");

            o3.terminate(); // a host leaves: only its keys may move, all to the others
            assertThat(Await.until(Duration.ofSeconds(10), () -> p.adminGet("/debug/hash?cluster=maglev").body()
                    .contains("now unhealthy") && p.adminGet("/debug/hash?cluster=ring").body().contains("now unhealthy"))).isTrue();
            restarted = new Origin("o3", port3); // and comes back: only keys moving to it may move
            assertThat(Await.until(Duration.ofSeconds(10), () -> p.adminGet("/debug/hash?cluster=maglev").body()
                    .contains("now healthy") && p.adminGet("/debug/hash?cluster=ring").body().contains("now healthy"))).isTrue();
            for (int i = 0; i < 2; i++) {
                String json = p.adminGet("/debug/hash?cluster=" + clusters[i] + "&format=json").body();
                System.out.println("/debug/hash?cluster=" + clusters[i] + ":\n" + p.adminGet("/debug/hash?cluster=" + clusters[i]).body());
                double back = number(json, "\"reason\":\"" + gone.replace(".", "\\.") + " now healthy\".*?\"moved_fraction\":([0-9.Ee-]+)");
                double left = number(json, "\"reason\":\"" + gone.replace(".", "\\.") + " now unhealthy\".*?\"moved_fraction\":([0-9.Ee-]+)");
                System.out.printf("%s: host share %.3f; moved when it left %.3f, when it came back %.3f%n", clusters[i],
                        shareOfGone[i], left, back);
                if (clusters[i].equals("ring")) {
                    // ring hash: exactly the keys on the host move (± the 10,000-key sample's error, σ ≈ 0.4%)
                    assertThat(left).isCloseTo(shareOfGone[i], org.assertj.core.data.Offset.offset(0.015));
                    assertThat(back).isCloseTo(shareOfGone[i], org.assertj.core.data.Offset.offset(0.015));
                } else {
                    // Maglev: its keys plus a little table disruption (the paper's: a few percent of the rest at most)
                    assertThat(left).isBetween(shareOfGone[i] - 0.015, shareOfGone[i] + 0.05);
                    assertThat(back).isBetween(shareOfGone[i] - 0.015, shareOfGone[i] + 0.05);
                }
                // every key that moved when it left came from it; every key that moved back went to it (ring hash)
                String leftChange = json.substring(json.indexOf(gone + " now unhealthy"));
                leftChange = leftChange.substring(0, leftChange.indexOf("]}") + 2);
                if (clusters[i].equals("ring")) {
                    assertThat(leftChange.split("\"from\":\"").length - 1)
                            .isEqualTo(leftChange.split("\"from\":\"" + gone.replace(".", "\\.") + "\"").length - 1);
                }
            }
        } finally {
            o1.close();
            o2.close();
            o4.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }
}
