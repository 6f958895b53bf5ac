package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The buffer filter through the jar: a chunked upload reaches the origin whole with a Content-Length; one over the
 * limit gets 413 and never reaches it; a route can raise the limit or turn the filter off; a fault delay (a filter that
 * stops the headers and waits) still passes the body along after it.
 */
class BufferIT {
    @Test
    void chunkedBodiesArriveWholeWithTheirLengthAndOversizedOnesGet413() throws Exception {
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("buffer-" + System.nanoTime()));
        Path small = Files.write(dir.resolve("small.bin"), "x".repeat(3000).getBytes());
        Path big = Files.write(dir.resolve("big.bin"), "y".repeat(9000).getBytes());
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("buffer", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - { name: fault, config: { delay: { fixed_delay: 0.2s, percentage: { numerator: 100 } } } }
                           - { name: buffer, config: { max_request_bytes: 4KiB } }
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /large/ }
                                 route: { cluster: o }
                                 typed_per_filter_config: { buffer: { buffer: { max_request_bytes: 16KiB } } }
                               - match: { prefix: /stream/ }
                                 route: { cluster: o }
                                 typed_per_filter_config: { buffer: { disabled: true } }
                               - { match: { prefix: / }, route: { cluster: o } }
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            Cmd whole = Cmd.curlRun("-s", "-H", "transfer-encoding: chunked", "--data-binary", "@" + small, base + "/echo");
            assertThat(whole.out()).contains("origin: o", "POST /echo", "content-length: 3000")
                    .doesNotContain("transfer-encoding");
            int before = o.requests.get();
            Cmd tooBig = Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "transfer-encoding: chunked",
                    "--data-binary", "@" + big, base + "/echo");
            assertThat(tooBig.out()).isEqualTo("413");
            assertThat(o.requests.get()).as("never forwarded").isEqualTo(before);
            Cmd raised = Cmd.curlRun("-s", "-H", "transfer-encoding: chunked", "--data-binary", "@" + big, base + "/large/echo");
            assertThat(raised.out()).contains("content-length: 9000");
            Cmd streamed = Cmd.curlRun("-s", "-H", "transfer-encoding: chunked", "--data-binary", "@" + small, base + "/stream/echo");
            assertThat(streamed.out()).contains("transfer-encoding: chunked").doesNotContain("content-length");
            Cmd upload = Cmd.curlRun("-s", "--data-binary", "@" + small, base + "/upload");
            assertThat(upload.out()).isEqualTo("received 3000\n");
            assertThat(p.stat("buffer.completed")).isEqualTo(3);
        }
    }
}
