package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The {@code cache} filter through the jar, against a real origin that says what each test asks for in its query
 * ({@code cc}: Cache-Control, {@code etag}, {@code vary}, {@code age}, {@code ms}: a delay) and counts what reaches it.
 */
class CacheIT {
    /** The origin (the JDK's HttpServer): answers GETs as the query says, validates If-None-Match, counts by path. */
    static final class CacheOrigin implements AutoCloseable {
        final HttpServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(128);
        final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> notModified = new ConcurrentHashMap<>();
        final AtomicBoolean failing = new AtomicBoolean();

        CacheOrigin() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        int count(String path) {
            return requests.getOrDefault(path, new AtomicInteger()).get();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                int n = requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                ex.getRequestBody().readAllBytes();
                if (failing.get()) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                if (q.containsKey("ms")) {
                    Thread.sleep(Long.parseLong(q.get("ms"))); // the origin is slow: this is what it simulates
                }
                var h = ex.getResponseHeaders();
                for (String[] k : new String[][] {{"cc", "Cache-Control"}, {"etag", "ETag"}, {"vary", "Vary"},
                        {"age", "Age"}}) {
                    if (q.containsKey(k[0])) {
                        h.set(k[1], q.get(k[0]));
                    }
                }
                String inm = ex.getRequestHeaders().getFirst("If-None-Match");
                if (inm != null && inm.equals(q.get("etag"))) {
                    notModified.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                    ex.sendResponseHeaders(304, -1);
                    return;
                }
                String lang = ex.getRequestHeaders().getFirst("Accept-Language");
                byte[] body = (ex.getRequestMethod().equals("GET") ? q.containsKey("size")
                        ? "x".repeat(Integer.parseInt(q.get("size"))) : path + " #" + n + " lang=" + lang : "done")
                        .getBytes(StandardCharsets.UTF_8);
                h.set("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static Map<String, String> query(String raw) {
            Map<String, String> m = new HashMap<>();
            if (raw != null) {
                for (String kv : raw.split("&")) {
                    int eq = kv.indexOf('=');
                    m.put(kv.substring(0, eq < 0 ? kv.length() : eq),
                            eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return m;
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static String config(String origin, String cacheConfig) {
        return """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: main
                    address: 127.0.0.1:0
                    http_filters:
                      - { name: cache, config: %s }
                    virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                          - match: { prefix: /off/ }
                            route: { cluster: o }
                            typed_per_filter_config: { cache: { disabled: true } }
                          - { match: { prefix: / }, route: { cluster: o } }
                clusters:
                  - { name: o, endpoints: [ %s ] }
                """.formatted(cacheConfig, origin);
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(String base, String target, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String xCache(HttpResponse<?> r) {
        return r.headers().firstValue("x-cache").orElse("none");
    }

    @Test
    void cacheControlVariantsDecideWhatReachesTheOrigin() throws Exception {
        try (CacheOrigin o = new CacheOrigin();
             ProxyProcess p = ProxyProcess.start("cache", config(o.address(), "{ x_cache_header: true }"))) {
            String base = "http://127.0.0.1:" + p.port("main");
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get(base, "/fresh?cc=max-age%3D60");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("/fresh #1 lang=null");
                outcomes.add(xCache(r));
            }
            assertThat(outcomes).containsExactly("MISS", "HIT", "HIT");
            assertThat(o.count("/fresh")).isEqualTo(1);
            assertThat(get(base, "/fresh?cc=max-age%3D60").headers().firstValue("age")).isPresent();

            for (String cc : List.of("no-store", "private,max-age%3D60")) {
                String path = "/" + cc.replaceAll("[^a-z]", "");
                for (int i = 0; i < 3; i++) {
                    assertThat(xCache(get(base, path + "?cc=" + cc))).isEqualTo("MISS");
                }
                assertThat(o.count(path)).as(cc).isEqualTo(3);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(get(base, "/shared?cc=max-age%3D0,s-maxage%3D60").body()).isEqualTo("/shared #1 lang=null");
            }
            assertThat(o.count("/shared")).as("s-maxage wins in a shared cache").isEqualTo(1);

            // no-cache: stored, but validated every time; the origin's 304s reach nobody, callers get the body
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get(base, "/validate?cc=no-cache&etag=%22v1%22");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("/validate #1 lang=null");
            }
            assertThat(o.count("/validate")).isEqualTo(3);
            assertThat(o.notModified.get("/validate").get()).isEqualTo(2);
            assertThat(p.stat("cache.validated")).isEqualTo(2);

            // an Age beyond max-age is stale on arrival; must-revalidate: always validated
            get(base, "/aged?cc=max-age%3D10,must-revalidate&age=100&etag=%22a%22");
            assertThat(get(base, "/aged?cc=max-age%3D10,must-revalidate&age=100&etag=%22a%22").body()).contains("#1");
            assertThat(o.notModified.get("/aged").get()).isEqualTo(1);

            // Vary: one stored response per Accept-Language
            for (String lang : List.of("en", "fr", "en", "fr", "en")) {
                assertThat(get(base, "/vary?cc=max-age%3D60&vary=Accept-Language", "Accept-Language", lang).body())
                        .endsWith("lang=" + lang);
            }
            assertThat(o.count("/vary")).isEqualTo(2);

            // the caller's own validation is answered from the store; HEAD too
            get(base, "/etag?cc=max-age%3D60&etag=%22e%22");
            HttpResponse<String> nm = get(base, "/etag?cc=max-age%3D60&etag=%22e%22", "If-None-Match", "\"e\"");
            assertThat(nm.statusCode()).isEqualTo(304);
            Cmd head = Cmd.curlRun("-sS", "-I", base + "/etag?cc=max-age%3D60&etag=%22e%22");
            assertThat(head.out()).contains("HTTP/1.1 200", "x-cache: HIT", "content-length: 18");
            assertThat(o.count("/etag")).isEqualTo(1);

            // h2c callers are served what an HTTP/1.1 caller stored
            Cmd h2 = Cmd.curlRun("-sS", "--http2-prior-knowledge", "-D", "-", base + "/fresh?cc=max-age%3D60");
            assertThat(h2.out()).contains("HTTP/2 200", "x-cache: HIT", "/fresh #1");

            // a POST that succeeds invalidates; so does the admin purge; a route can turn the cache off
            HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/fresh?cc=max-age%3D60"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(get(base, "/fresh?cc=max-age%3D60").body()).isEqualTo("/fresh #3 lang=null");
            assertThat(get(base, "/fresh?cc=max-age%3D60").body()).isEqualTo("/fresh #3 lang=null");
            HttpResponse<String> purge = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + p.admin + "/cache/purge?prefix=/fre")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(purge.body()).isEqualTo("purged 1\n");
            assertThat(get(base, "/fresh?cc=max-age%3D60").body()).isEqualTo("/fresh #4 lang=null");
            for (int i = 0; i < 2; i++) {
                assertThat(xCache(get(base, "/off/x?cc=max-age%3D60"))).isEqualTo("none");
            }
            assertThat(o.count("/off/x")).isEqualTo(2);

            String live = p.adminGet("/cache").body();
            assertThat(live).contains("\"entries\":", "\"hit_ratio\":0.");
            assertThat(p.adminGet("/stats/live").body()).as("the dashboard's data").contains("\"cache\":{\"hits\":");
            assertThat(p.adminGet("/help").body()).contains("POST /cache/purge");
            assertThat(p.adminGet("/stats/prometheus").body()).contains("outrigger_http_filter_events_total{stat=\"cache.hit\"}");
        }
    }

    @Test
    void staleIfErrorAnswersWhileTheOriginFailsOrIsGone() throws Exception {
        try (CacheOrigin o = new CacheOrigin();
             ProxyProcess p = ProxyProcess.start("cache-sie", config(o.address(), "{ x_cache_header: true }"))) {
            String base = "http://127.0.0.1:" + p.port("main");
            String target = "/sie?cc=max-age%3D10,stale-if-error%3D600&age=60&etag=%22s%22";
            String noWindow = "/plain?cc=max-age%3D10&age=60";
            assertThat(get(base, target).body()).isEqualTo("/sie #1 lang=null");
            get(base, noWindow);
            o.failing.set(true);
            HttpResponse<String> r = get(base, target);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("/sie #1 lang=null");
            assertThat(xCache(r)).isEqualTo("STALE");
            assertThat(get(base, noWindow).statusCode()).as("stale without stale-if-error: the error").isEqualTo(503);
            o.close(); // gone: the router's own 503 (connection refused) is replaced too
            HttpResponse<String> gone = get(base, target);
            assertThat(gone.statusCode()).isEqualTo(200);
            assertThat(gone.body()).isEqualTo("/sie #1 lang=null");
            assertThat(p.stat("cache.stale_if_error")).isEqualTo(2);
        }
    }

    @Test
    void concurrentMissesOfOneKeyMakeOneOriginRequest() throws Exception {
        try (CacheOrigin o = new CacheOrigin();
             ProxyProcess p = ProxyProcess.start("cache-coalesce", config(o.address(), "{}"))) {
            String base = "http://127.0.0.1:" + p.port("main");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(16)).build();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/slow?ms=1000&cc=max-age%3D60"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("/slow #1 lang=null");
            }
            assertThat(o.count("/slow")).isEqualTo(1);
            assertThat(p.stat("cache.coalesced") + p.stat("cache.hit")).isGreaterThanOrEqualTo(99);
        }
    }

    @Test
    void tenThousandObjectsStayWithinMaxBytes() throws Exception {
        try (CacheOrigin o = new CacheOrigin();
             ProxyProcess p = ProxyProcess.start("cache-bound", config(o.address(),
                     "{ max_bytes: 2MiB, max_object_bytes: 64KiB }"))) {
            String base = "http://127.0.0.1:" + p.port("main");
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                String target = "/obj/" + i + "?cc=max-age%3D600&size=1024";
                codes.add(pool.submit(() -> get(base, target).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> c : codes) {
                assertThat(c.get()).isEqualTo(200);
            }
            pool.shutdown();
            assertThat(get(base, "/big?cc=max-age%3D600&size=100000").body()).hasSize(100_000);
            assertThat(get(base, "/big?cc=max-age%3D600&size=100000").body()).hasSize(100_000);
            assertThat(o.count("/big")).as("over max_object_bytes: not stored").isEqualTo(2);
            String stats = p.adminGet("/cache").body();
            long bytes = Long.parseLong(stats.replaceAll("(?s).*\"bytes\":(\\d+).*", "$1"));
            long entries = Long.parseLong(stats.replaceAll("(?s).*\"entries\":(\\d+).*", "$1"));
            assertThat(bytes).as(stats).isLessThanOrEqualTo(2L << 20).isGreaterThan(1L << 20);
            assertThat(entries).isLessThan(10_000).isGreaterThan(500);
            assertThat(p.stat("cache.evicted")).isGreaterThan(5_000);
            assertThat(p.stat("cache.stored")).isEqualTo(10_000);
        }
    }
}
