package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image as a pod: an app container and the Outrigger container sharing one network namespace
 * ({@code --network container:app}, exactly a Kubernetes pod's loopback), the sidecar non-root on a read-only root
 * filesystem with a memory limit; traffic through it, its Docker HEALTHCHECK ({@code wait-ready}), then
 * {@code docker stop} (SIGTERM) under load. Needs a Docker engine and the base image {@code .ci/container-images}
 * builds (Docker Hub is not reachable here); {@code .ci/run} provides both.
 */
class PodIT {
    static final String BASE = "outrigger-ci/jre17:bookworm";
    static final String IMAGE = "outrigger:it";
    private static final String DOCKER = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";

    static Cmd docker(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = DOCKER;
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Cmd.run(300, cmd);
    }

    private static String ok(Cmd c) {
        assertThat(c.exit()).as("docker: %s", c.err()).isZero();
        return c.out().trim();
    }

    @Test
    void theSidecarServesItsPodAndDrainsOnDockerStopWithinItsMemoryLimit() throws Exception {
        assertThat(docker("info").exit()).as("a Docker engine (.ci/run starts one)").isZero();
        assertThat(docker("image", "inspect", BASE).exit()).as("the base image (.ci/container-images)").isZero();
        Path root = Path.of("..").toAbsolutePath().normalize();
        Cmd build = Cmd.run(300, "env", "DOCKER_BUILDKIT=1", DOCKER, "build", "-q", "--target", "prebuilt",
                "--build-arg", "RUNTIME_IMAGE=" + BASE, "-t", IMAGE, root.toString());
        ok(build);
        long imageBytes = Long.parseLong(ok(docker("image", "inspect", IMAGE, "--format", "{{.Size}}")));
        long baseBytes = Long.parseLong(ok(docker("image", "inspect", BASE, "--format", "{{.Size}}")));
        assertThat(ok(docker("image", "inspect", IMAGE, "--format", "{{.Config.User}}"))).isEqualTo("65532:65532");

        Path config = Files.createDirectories(ProxyProcess.WORK.resolve("pod-" + System.nanoTime()));
        Files.writeString(config.resolve("outrigger.yaml"), """
                admin: { address: 127.0.0.1:9901 }
                listeners:
                  - name: inbound
                    address: 0.0.0.0:15006
                    access_log: []
                    virtual_hosts: [ { name: app, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: app } } ] } ]
                clusters:
                  - { name: app, endpoints: [ 127.0.0.1:8080 ] }
                """);
        config.toFile().setReadable(true, false);
        config.resolve("outrigger.yaml").toFile().setReadable(true, false);
        config.toFile().setExecutable(true, false);
        String id = Long.toString(System.nanoTime(), 36);
        String app = "app-" + id;
        String sidecar = "outrigger-" + id;
        try {
            // the app: busybox's httpd on the pod's 8080, serving /etc
            ok(docker("run", "-d", "--name", app, "--user", "65532:65532", BASE, "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"));
            long t0 = System.nanoTime();
            ok(docker("run", "-d", "--name", sidecar, "--network", "container:" + app, "--read-only", "--tmpfs", "/tmp:exec",
                    "--memory", "192m", "--health-interval", "500ms", "-v", config + ":/etc/outrigger:ro", IMAGE,
                    // 3 s of accepting after SIGTERM: the test sees the drain through `docker logs` polls, which took
                    // over a second on a slow CI machine, and then wants 100 more requests through before the load stops
                    "run", "-c", "/etc/outrigger/outrigger.yaml", "--min-drain-time-s", "3", "--drain-time-s", "10"));
            assertThat(Await.until(Duration.ofSeconds(60), () -> ok(docker("inspect", "-f", "{{.State.Health.Status}}",
                    sidecar)).equals("healthy"))).as("HEALTHCHECK (wait-ready) passes: %s", docker("logs", sidecar).out()).isTrue();
            long healthyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            String logs = docker("logs", sidecar).out() + docker("logs", sidecar).err();
            // the native library loads from the exec tmpfs: io_uring, or epoll where the engine's seccomp profile refuses it
            assertThat(logs).containsAnyOf("workers, io_uring transport", "workers, epoll transport");
            String ip = ok(docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", app));
            String base = "http://" + ip + ":15006";
            assertThat(Cmd.curlRun("-s", base + "/hostname").out()).isNotBlank();

            LoadClient load = new LoadClient(base, 8, 1, "/hostname");
            List<Long> memory = new ArrayList<>();
            CompletableFuture<Cmd> stop;
            long stopNanos;
            try {
                TlsIT.waitUntil(() -> load.ok.get() > 500);
                memory.add(memoryBytes(sidecar));
                TlsIT.waitUntil(() -> load.ok.get() > 2000);
                memory.add(memoryBytes(sidecar));
                stopNanos = System.nanoTime();
                stop = CompletableFuture.supplyAsync(() -> {
                    try {
                        return docker("stop", "-t", "30", sidecar);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                TlsIT.waitUntil(() -> docker("logs", sidecar).err().contains("draining:")
                        || docker("logs", sidecar).out().contains("draining:"));
                int atTerm = load.ok.get();
                TlsIT.waitUntil(() -> load.ok.get() > atTerm + 100); // the endpoint is still being sent to meanwhile
            } finally {
                load.close();
            }
            ok(stop.get(30, TimeUnit.SECONDS));
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos);
            assertThat(ok(docker("inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", sidecar))).isEqualTo("0 false");
            assertThat(load.failures).isEmpty();
            assertThat(stopMs).as("exit before the grace period").isLessThan(10_000);
            long peak = memory.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(peak).isLessThan(192L << 20);
            System.out.printf("pod: image %.0f MiB (%.0f MiB over its JRE base), healthy %d ms after docker run; "
                    + "%d requests through the sidecar, 0 failed; memory under load %.1f MiB of 192 MiB; docker stop "
                    + "(SIGTERM) -> exit 0 in %d ms%n", imageBytes / 1048576.0, (imageBytes - baseBytes) / 1048576.0,
                    healthyMs, load.ok.get(), peak / 1048576.0, stopMs);
        } finally {
            docker("rm", "-f", sidecar, app);
        }
    }

    /** The container's memory use as {@code docker stats} reports it (cgroup usage less page cache). */
    private static long memoryBytes(String container) throws Exception {
        String usage = ok(docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container)).split("/")[0].trim();
        double n = Double.parseDouble(usage.replaceAll("[^0-9.]", ""));
        return (long) (usage.endsWith("GiB") ? n * (1L << 30) : usage.endsWith("MiB") ? n * (1L << 20) : usage.endsWith("KiB") ? n * 1024 : n);
    }
}
