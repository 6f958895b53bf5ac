package io.outrigger.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DownstreamStatsTest {
    @Test
    void everyErrorIsCountedButAWarnLineIsWrittenAtMostOncePerInterval() {
        long[] now = {0};
        DownstreamStats s = new DownstreamStats("l", () -> now[0]);
        int warned = 0;
        for (int i = 0; i < 1000; i++) {
            now[0] += 1_000_000; // 1000 errors in one second
            if (s.peerError(DownstreamEvent.CX_PROTOCOL_ERROR, "peer", "bad\nline")) {
                warned++;
            }
        }
        assertThat(warned).isEqualTo(1);
        assertThat(s.get(DownstreamEvent.CX_PROTOCOL_ERROR)).isEqualTo(1000);
        now[0] += DownstreamStats.WARN_INTERVAL_NANOS;
        assertThat(s.peerError(DownstreamEvent.RQ_PROTOCOL_ERROR, "peer", "x")).isTrue();
        Map<String, Long> out = new TreeMap<>();
        s.putInto(out);
        assertThat(out).containsEntry("http.l.downstream_cx_protocol_error", 1000L)
                .containsEntry("http.l.downstream_rq_protocol_error", 1L)
                .containsEntry("http.l.ssl.connection_error", 0L);
    }
}
