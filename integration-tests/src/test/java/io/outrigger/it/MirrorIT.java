package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.it.FaultRelay.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** request_mirror_policies through the jar: the share mirrored, the -shadow host, and a mirror that cannot hurt callers. */
class MirrorIT {
    @Test
    void tenPercentIsMirroredWithAShadowHostAndABadMirrorChangesNothingForCallers() throws Exception {
        try (Origin main = new Origin("main"); Origin mirror = new Origin("mirror"); Origin mirror2 = new Origin("mirror2");
             FaultRelay blackhole = new FaultRelay(mirror2.port());
             ProxyProcess p = ProxyProcess.start("mirror", ProxyProcess.mainListenerConfig("""
                     - match: { prefix: /ten }
                       route:
                         cluster: main
                         request_mirror_policies: [ { cluster: mirror, runtime_fraction: { default_value: { numerator: 10 } } } ]
                     - match: { prefix: /all }
                       route:
                         cluster: main
                         timeout: 2s
                         request_mirror_policies: [ { cluster: mirror, disable_shadow_host_suffix_append: true }, { cluster: dark } ]
                     """, """
                     - { name: main, endpoints: [ %s ] }
                     - { name: mirror, endpoints: [ %s ] }
                     - { name: dark, endpoints: [ %s ] }
                     """.formatted(main.address(), mirror.address(), blackhole.address())))) {
            blackhole.inject(Fault.BLACKHOLE, 0, Integer.MAX_VALUE); // accepts, never answers
            String base = "http://127.0.0.1:" + p.port("main");

            // 10 %: 1,000 requests on one keep-alive connection
            String[] args = new String[1_000 + 3];
            args[0] = "-o";
            args[1] = "/dev/null";
            args[2] = "--http1.1";
            for (int i = 0; i < 1_000; i++) {
                args[3 + i] = base + "/ten/" + i;
            }
            assertThat(Cmd.curlRun(args).exit()).isZero();
            assertThat(main.requests.get()).isEqualTo(1_000);
            assertThat(Await.until(java.time.Duration.ofSeconds(5),
                    () -> mirror.requests.get() == p.stat("cluster.mirror.shadow_rq_total"))).isTrue();
            long mirrored = p.stat("cluster.mirror.shadow_rq_total");
            System.out.println("request_mirror_policies 10 %: " + mirrored + " of 1,000 mirrored");
            assertThat(mirrored).isBetween(60L, 140L); // expected 100, σ ≈ 9.5
            assertThat(mirror.lastHost.get()).isEqualTo("127.0.0.1-shadow:" + p.port("main"));

            // every request mirrored twice, one copy into a black hole: callers see nothing of it
            Path body = Files.createTempFile("body", ".bin");
            Files.write(body, new byte[1_000]);
            Cmd timed = Cmd.curlRun("-w", "%{http_code} %{time_total}\\n", "--http1.1", "--data-binary", "@" + body,
                    "-o", "/dev/null", base + "/all/a", "-o", "/dev/null", base + "/all/b",
                    "-o", "/dev/null", base + "/all/c", "-o", "/dev/null", base + "/all/d");
            for (String line : timed.out().strip().split("\\n")) {
                String[] f = line.split(" ");
                assertThat(f[0]).isEqualTo("200");
                assertThat(Double.parseDouble(f[1])).as("a request with a black-holed mirror").isLessThan(0.5);
            }
            assertThat(mirror.lastHost.get()).as("disable_shadow_host_suffix_append").isEqualTo("127.0.0.1:" + p.port("main"));
            // a body above 64 KiB is not mirrored (counted), the original gets all of it
            Path big = Files.createTempFile("big", ".bin");
            Files.write(big, new byte[100_000]);
            long droppedBefore = p.stat("cluster.mirror.shadow_rq_dropped");
            Cmd upload = Cmd.curlRun("--http1.1", "--data-binary", "@" + big, base + "/all/upload");
            assertThat(upload.out()).startsWith("origin: main\nPOST /all/upload");
            assertThat(Await.until(java.time.Duration.ofSeconds(5),
                    () -> p.stat("cluster.mirror.shadow_rq_dropped") == droppedBefore + 1)).isTrue();
            // the black-holed copies end at the route timeout (2 s), counted as dropped
            assertThat(Await.until(java.time.Duration.ofSeconds(8),
                    () -> p.stat("cluster.dark.shadow_rq_dropped") == 5)).isTrue();
            assertThat(p.stat("cluster.main.upstream_rq_total")).isEqualTo(1_005);
            Files.deleteIfExists(body);
            Files.deleteIfExists(big);
        }
    }
}
