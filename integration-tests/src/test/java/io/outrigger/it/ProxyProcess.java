package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar outrigger.jar run -c FILE} as a separate process, with Netty's paranoid leak
 * detection. Learns the admin address from {@code --admin-address-path}, waits for {@code /ready} by
 * polling, and finds listener ports through {@code /listeners}. {@link #close()} stops it and fails the
 * test if its log has any {@code LEAK:} line.
 */
final class ProxyProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("outrigger.jar", "../proxy/target/outrigger.jar"));
    static final Path WORK = Path.of(System.getProperty("outrigger.workdir", "target/it-work"));
    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    final Path log;
    final String admin;

    /** The config file the proxy runs with (a test rewrites it to reload). */
    final Path config;

    private ProxyProcess(Process process, Path log, String admin, Path config) {
        this.process = process;
        this.log = log;
        this.admin = admin;
        this.config = config;
    }

    /**
     * What {@code run} gets besides the config: the tests' SIGTERM drains without the production 5 s of accepting
     * ({@code --min-drain-time-s 0}) and within 5 s.
     */
    static final List<String> DEFAULT_RUN_OPTIONS = List.of("--min-drain-time-s", "0", "--drain-time-s", "5");

    /**
     * Starts the proxy with {@code yaml}; extra JVM options (e.g. {@code -Xmx64m}) come first.
     */
    static ProxyProcess start(String name, String yaml, String... jvmOptions) throws Exception {
        return startWith(name, yaml, DEFAULT_RUN_OPTIONS, jvmOptions);
    }

    /** As {@link #start}, with these {@code run} options instead of {@link #DEFAULT_RUN_OPTIONS}. */
    static ProxyProcess startWith(String name, String yaml, List<String> runOptions, String... jvmOptions) throws Exception {
        Path dir = Files.createDirectories(WORK.resolve(name + "-" + System.nanoTime()));
        Path config = dir.resolve("outrigger.yaml");
        Files.writeString(config, yaml);
        return startFile(dir, config, runOptions, jvmOptions);
    }

    /** Starts the proxy with a config file the test made (a symlink, say); its log and admin address go to {@code dir}. */
    static ProxyProcess startFile(Path dir, Path config, List<String> runOptions, String... jvmOptions) throws Exception {
        assertThat(JAR).as("the built jar (run through mvn verify)").exists();
        Path adminPath = dir.resolve("admin.address");
        Path log = dir.resolve("proxy.log");
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dio.netty.leakDetection.level=paranoid"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-jar", JAR.toAbsolutePath().toString(), "run", "-c", config.toString(),
                "--concurrency", "2", "--admin-address-path", adminPath.toString()));
        cmd.addAll(runOptions);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(adminPath)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("proxy did not start:\n" + Files.readString(log));
            }
            Thread.sleep(20); // polling for a file the proxy writes; not a fixed wait
        }
        String admin = Files.readString(adminPath).trim();
        ProxyProcess proxy = new ProxyProcess(p, log, admin, config);
        while (true) {
            try {
                if (proxy.adminGet("/ready").statusCode() == 200) {
                    return proxy;
                }
            } catch (IOException e) {
                // not accepting yet
            }
            if (System.nanoTime() > deadline) {
                proxy.close();
                throw new AssertionError("proxy never became ready");
            }
            Thread.sleep(20);
        }
    }

    /**
     * A config with the admin on port 0 and one listener {@code main} (port 0) whose only route sends
     * every request as {@code route} says, e.g. {@code { cluster: c, timeout: 5s }}.
     *
     * @param clusters the {@code clusters:} list items, as YAML
     */
    static String catchAllConfig(String route, String clusters) {
        return mainListenerConfig("- { match: { prefix: / }, route: " + route + " }\n", clusters);
    }

    /**
     * A config with the admin on port 0 and one listener {@code main} (port 0), one virtual host for every
     * domain with the given routes.
     *
     * @param routes   the {@code routes:} list items, as YAML (indented from column 0)
     * @param clusters the {@code clusters:} list items, as YAML (indented from column 0)
     */
    static String mainListenerConfig(String routes, String clusters) {
        return """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: main
                    address: 127.0.0.1:0
                    virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                """ + routes.indent(10) + "clusters:\n" + clusters.indent(2);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    HttpResponse<String> adminGet(String path) throws IOException, InterruptedException {
        return ADMIN.send(HttpRequest.newBuilder(URI.create("http://" + admin + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The bound port of the listener named {@code name}, from {@code /listeners}. */
    int port(String name) throws Exception {
        for (String line : adminGet("/listeners").body().split("\n")) {
            if (line.startsWith(name + "::")) {
                return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            }
        }
        throw new AssertionError("no listener " + name);
    }

    /** A counter or gauge from {@code /stats} ({@code name: value} lines); fails when there is none. */
    long stat(String name) throws Exception {
        for (String line : adminGet("/stats").body().split("\n")) {
            if (line.startsWith(name + ": ")) {
                return Long.parseLong(line.substring(name.length() + 2).trim());
            }
        }
        throw new AssertionError("no stat " + name);
    }

    String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits (up to 10 s) for a line of the proxy's output (e.g. an access log entry, written asynchronously). */
    boolean awaitLog(java.util.function.Predicate<String> line) throws Exception {
        return Await.until(Duration.ofSeconds(10), () -> logText().lines().anyMatch(line));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal ({@code TERM}, {@code HUP}) to the proxy process. */
    void signal(String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /** The JVM process (to wait for its exit). */
    Process process() {
        return process;
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: the shutdown hook closes listeners and event loops
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String text = logText();
        assertThat(text).as("proxy log %s", log).doesNotContain("LEAK:");
        assertThat(text).as("proxy log %s", log).doesNotContain("OutOfMemoryError");
    }
}
