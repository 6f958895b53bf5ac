package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each transport through the jar, chosen with {@code -Doutrigger.transport}: {@code io_uring} (the default; where this
 * machine's kernel or seccomp profile refuses it, the logged fallback to epoll), {@code epoll} (the fallback) and
 * {@code nio} (what runs where no native library loads) serve HTTP/1.1 and h2c requests, concurrent streams and bodies
 * both ways, and report an upstream's reset at once. The other integration tests run the default.
 */
class TransportIT {
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void aTransportChosenOnTheCommandLineServesBothProtocolsAndBodies(String transport) throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("transport-" + transport, ProxyProcess.mainListenerConfig(
                     "- { match: { prefix: / }, route: { cluster: o } }",
                     "- { name: o, endpoints: [ %s ] }".formatted(o.address())), "-Doutrigger.transport=" + transport)) {
            assertThat(p.awaitLog(l -> l.contains("outrigger started: "))).isTrue();
            String used = p.logText().contains("io_uring transport unavailable") ? "epoll" : transport;
            assertThat(p.logText()).contains("workers, " + used + " transport");
            String base = "http://127.0.0.1:" + p.port("main");
            assertThat(Cmd.curlRun("-s", base + "/hello").out()).contains("origin: o", "GET /hello");
            assertThat(Cmd.curlRun("-s", "--http2-prior-knowledge", "-w", "%{http_version}", base + "/h2").out())
                    .contains("GET /h2").endsWith("2");
            Cmd h2load = Cmd.run(60, "h2load", "-n", "400", "-c", "4", "-m", "10", base + "/n");
            assertThat(h2load.out()).contains("400 succeeded, 0 failed");
            Path body = Files.createTempFile("transport-body", ".bin");
            try {
                Files.write(body, new byte[3 << 20]);
                assertThat(Cmd.curlRun("-s", "--data-binary", "@" + body, base + "/upload").out())
                        .isEqualTo("received " + (3 << 20) + "\n");
            } finally {
                Files.delete(body);
            }
            assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{size_download}", base + "/bytes/" + (8 << 20)).out())
                    .isEqualTo(Integer.toString(8 << 20));
        }
    }

    /**
     * An origin that answers 262,144 bytes, writes 20,000 and resets the connection at once ({@code SO_LINGER} 0): the
     * reset arrives right behind the data, and the downstream stream must end then (flag UC), not at the route's
     * 5 s idle timeout — what Netty's io_uring multishot polls lost.
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void anUpstreamResetRightBehindAPartialBodyEndsTheStreamAtOnce(String transport) throws Exception {
        try (java.net.ServerSocket origin = new java.net.ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket c = origin.accept()) {
                    java.io.InputStream in = c.getInputStream();
                    for (int matched = 0; matched < 4; ) { // the request head, up to its blank line
                        int b = in.read();
                        matched = b < 0 ? 4 : b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : 0;
                    }
                    c.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 262144\r\n\r\n"
                            + "x".repeat(20_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    c.setSoLinger(true, 0);
                } catch (java.io.IOException ignored) {
                    // the test's assertions say what went wrong
                }
            });
            server.start();
            try (ProxyProcess p = ProxyProcess.start("transport-reset-" + transport, ProxyProcess.mainListenerConfig(
                    "- { match: { prefix: / }, route: { cluster: o, idle_timeout: 5s } }",
                    "- { name: o, endpoints: [ 127.0.0.1:%d ] }".formatted(origin.getLocalPort())),
                    "-Doutrigger.transport=" + transport)) {
                Cmd r = Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
                        "http://127.0.0.1:" + p.port("main") + "/partial");
                String[] out = r.out().trim().split(" ");
                assertThat(out[0]).isEqualTo("200");
                assertThat(Long.parseLong(out[1])).isEqualTo(20_000);
                assertThat(Double.parseDouble(out[2])).as("seconds until the stream ended").isLessThan(2.0);
                assertThat(p.awaitLog(l -> l.contains("GET /partial") && l.contains(" 200 UC "))).isTrue();
            }
            server.join(5_000);
        }
    }
}
