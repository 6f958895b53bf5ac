package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Hop-by-hop fields (RFC 9110 §7.6.1) leave a message at the HTTP/1.1 edge. */
class Http1HeadersTest {
    @Test
    void fieldsNamedByConnectionGoWithTheFixedHopByHopOnes() {
        HttpHeaders h = new DefaultHttpHeaders(false)
                .add("Connection", " Keep-Alive ,\tX-A ,, close").add("Connection", "x-b").add("X-A", "1").add("x-b", "2")
                .add("Close", "3").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("X-Kept", "4");
        Http1Headers.removeHopByHop(h);
        assertThat(h.names()).containsExactly("X-Kept");
    }

    @Test
    void teSurvivesOnlyAsTrailersEvenWhenConnectionNamesIt() {
        HttpHeaders h = new DefaultHttpHeaders(false).add("Connection", "TE").add("TE", "trailers");
        Http1Headers.removeHopByHop(h);
        assertThat(h.get("te")).isEqualTo("trailers");
        HttpHeaders gz = new DefaultHttpHeaders(false).add("TE", "gzip");
        Http1Headers.removeHopByHop(gz);
        assertThat(gz.isEmpty()).isTrue();
    }
}
