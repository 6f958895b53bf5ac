package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The compressor filter through the jar, with curl decoding gzip, Brotli and Zstandard itself. */
class CompressorIT {
    @Test
    void responsesAreCompressedInTheCodingTheClientPrefersAndStreamsAreLeftAlone() throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("compressor", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - { name: compressor, config: { compressor_library: { name: gzip } } }
                           - { name: compressor, config: { compressor_library: { name: zstd } } }
                           - { name: compressor, config: { compressor_library: { name: brotli } } }
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /raw/ }
                                 route: { cluster: o, prefix_rewrite: / }
                                 typed_per_filter_config: { compressor: { disabled: true } }
                               - { match: { prefix: / }, route: { cluster: o } }
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(o.address()))) {
            String url = "http://127.0.0.1:" + p.port("main") + "/hello?pad=" + "x".repeat(200);
            for (String[] c : new String[][] {{"gzip", "gzip"}, {"br", "br"}, {"zstd", "zstd"},
                    {"gzip, br", "gzip"}, {"gzip;q=0.5, br", "br"}, {"gzip;q=0.1, br;q=0.8, zstd;q=0.9", "zstd"}}) {
                Cmd r = Cmd.curlRun("-s", "-D", "-", "-H", "accept-encoding: " + c[0], "--compressed", url);
                assertThat(r.out().toLowerCase()).as(c[0]).contains("content-encoding: " + c[1] + "\r\n")
                        .contains("vary: accept-encoding").doesNotContain("content-length:")
                        .contains("origin: o", "get /hello?pad=xxx"); // curl decoded the body
                assertThat(r.out().toLowerCase().split("vary: accept-encoding", -1)).as("one Vary").hasSize(2);
            }
            Cmd plain = Cmd.curlRun("-s", "-D", "-", url);
            assertThat(plain.out().toLowerCase()).doesNotContain("content-encoding").contains("vary: accept-encoding");
            Cmd sse = Cmd.curlRun("-s", "-N", "-D", "-", "-H", "accept-encoding: gzip",
                    "http://127.0.0.1:" + p.port("main") + "/sse/3/50");
            assertThat(sse.out().toLowerCase()).doesNotContain("content-encoding").contains("data: 0", "data: 2");
            Cmd raw = Cmd.curlRun("-s", "-D", "-", "-H", "accept-encoding: gzip",
                    "http://127.0.0.1:" + p.port("main") + "/raw/hello");
            assertThat(raw.out().toLowerCase()).as("the filter is disabled on this route").doesNotContain("content-encoding");
            // the caller's highest q wins across the three entries; a tie goes to the entry listed first
            assertThat(p.stat("compressor.gzip.compressed")).isEqualTo(2);
            assertThat(p.stat("compressor.brotli.compressed")).isEqualTo(2);
            assertThat(p.stat("compressor.zstd.compressed")).isEqualTo(2);
            assertThat(p.stat("compressor.gzip.total_uncompressed_bytes"))
                    .isGreaterThan(p.stat("compressor.gzip.total_compressed_bytes"));
        }
    }

    /**
     * decompressor: a gzipped upload reaches the origin plain; responses compressed by a second listener (the
     * compressor) come back plain through the first (the decompressor advertised gzip to it).
     */
    @Test
    void theDecompressorUndoesGzipBothWays() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(ProxyProcess.WORK.resolve("decompress-" + System.nanoTime()));
        byte[] plain = "a line of text that compresses well\n".repeat(2000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Path gz = dir.resolve("body.gz");
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(gz))) {
            g.write(plain);
        }
        try (Origin o = new Origin("o");
             ProxyProcess back = ProxyProcess.start("compressing-back", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: back
                         address: 127.0.0.1:0
                         http_filters: [ { name: compressor, config: { compressor_library: { name: gzip } } } ]
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(o.address()));
             ProxyProcess p = ProxyProcess.start("decompressor", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: front
                         address: 127.0.0.1:0
                         http_filters: [ { name: decompressor, config: { decompressor_library: { name: gzip } } } ]
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - { match: { prefix: /upload }, route: { cluster: o } }
                               - { match: { prefix: / }, route: { cluster: back } }
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                       - { name: back, endpoints: [ "127.0.0.1:%d" ] }
                     """.formatted(o.address(), back.port("back")))) {
            String front = "http://127.0.0.1:" + p.port("front");
            Cmd up = Cmd.curlRun("-s", "-H", "content-encoding: gzip", "--data-binary", "@" + gz, front + "/upload");
            assertThat(up.out()).isEqualTo("received " + plain.length + "\n");
            Cmd down = Cmd.curlRun("-s", "-D", "-", front + "/hello?pad=" + "x".repeat(200));
            assertThat(down.out().toLowerCase()).doesNotContain("content-encoding").contains("origin: o")
                    .contains("accept-encoding: gzip"); // what the origin saw: advertised by the decompressor
            assertThat(back.stat("compressor.gzip.compressed")).isEqualTo(1);
            assertThat(p.stat("decompressor.gzip.response.decompressed")).isEqualTo(1);
            assertThat(p.stat("decompressor.gzip.request.decompressed")).isEqualTo(1);
        }
    }
}
