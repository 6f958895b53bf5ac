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
            for (String[] c : new String[][] {{"gzip", "gzip"}, {"br", "br"}, {"zstd", "zstd"}, {"gzip, br", "br"}}) {
                Cmd r = Cmd.curlRun("-s", "-D", "-", "-H", "accept-encoding: " + c[0], "--compressed", url);
                assertThat(r.out().toLowerCase()).as(c[0]).contains("content-encoding: " + c[1] + "\r\n")
                        .contains("vary: accept-encoding").doesNotContain("content-length:")
                        .contains("origin: o", "get /hello?pad=xxx"); // curl decoded the body
            }
            Cmd plain = Cmd.curlRun("-s", "-D", "-", url);
            assertThat(plain.out().toLowerCase()).doesNotContain("content-encoding").contains("vary: accept-encoding");
            Cmd sse = Cmd.curlRun("-s", "-N", "-D", "-", "-H", "accept-encoding: gzip",
                    "http://127.0.0.1:" + p.port("main") + "/sse/3/50");
            assertThat(sse.out().toLowerCase()).doesNotContain("content-encoding").contains("data: 0", "data: 2");
            Cmd raw = Cmd.curlRun("-s", "-D", "-", "-H", "accept-encoding: gzip",
                    "http://127.0.0.1:" + p.port("main") + "/raw/hello");
            assertThat(raw.out().toLowerCase()).as("the filter is disabled on this route").doesNotContain("content-encoding");
            assertThat(p.stat("compressor.gzip.compressed")).isEqualTo(1);
            assertThat(p.stat("compressor.brotli.compressed")).isEqualTo(2);
            assertThat(p.stat("compressor.zstd.compressed")).isEqualTo(1);
            assertThat(p.stat("compressor.gzip.total_uncompressed_bytes"))
                    .isGreaterThan(p.stat("compressor.gzip.total_compressed_bytes"));
        }
    }
}
