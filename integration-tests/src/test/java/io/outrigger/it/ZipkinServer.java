package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real Zipkin server (io.zipkin:zipkin-server exec jar, fetched by Maven into target/zipkin) with in-memory
 * storage on a free loopback port, started as its own process.
 */
final class ZipkinServer implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("zipkin.jar", "target/zipkin/zipkin-server.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    final int port;

    ZipkinServer() throws Exception {
        assertThat(JAR).as("zipkin-server.jar (copied by mvn's pre-integration-test phase)").exists();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        log = Files.createDirectories(ProxyProcess.WORK).resolve("zipkin-" + port + ".log");
        ProcessBuilder pb = new ProcessBuilder(ProxyProcess.javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-jar",
                JAR.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("QUERY_PORT", Integer.toString(port));
        pb.environment().put("STORAGE_TYPE", "mem");
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError("zipkin did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100); // polling for readiness; not a fixed wait
        }
    }

    String spansEndpoint() {
        return "http://127.0.0.1:" + port + "/api/v2/spans";
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (up to 15 s) until Zipkin holds at least {@code spans} spans of the trace, and returns them. */
    JsonNode trace(String traceId, int spans) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            HttpResponse<String> r = get("/api/v2/trace/" + traceId);
            if (r.statusCode() == 200) {
                JsonNode trace = JSON.readTree(r.body());
                if (trace.size() >= spans) {
                    return trace;
                }
            }
            assertThat(System.nanoTime()).as("trace %s with %d spans in zipkin: %s", traceId, spans, r.body())
                    .isLessThan(deadline);
            Thread.sleep(50); // polling interval
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
