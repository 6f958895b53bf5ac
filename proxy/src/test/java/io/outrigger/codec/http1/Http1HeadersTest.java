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

    @Test
    void aHeaderBlockIsWrittenTheSameFromEitherContainer() {
        io.outrigger.codec.ArrayHttpHeaders flat = new io.outrigger.codec.ArrayHttpHeaders(io.outrigger.codec.HeaderValidation.FIELDS);
        HttpHeaders netty = new DefaultHttpHeaders();
        for (HttpHeaders h : new HttpHeaders[] {flat, netty}) {
            h.add(io.netty.util.AsciiString.cached("Content-Type"), "text/plain").add("X-Multi", "1").add("x-multi", "2")
                    .add("Via", new StringBuilder("1.1 a"));
        }
        io.netty.buffer.ByteBuf a = io.netty.buffer.Unpooled.buffer(1); // grows as the fields are written
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer(1);
        Http1Headers.encode(flat, a);
        Http1Headers.encode(netty, b);
        assertThat(a.toString(java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(b.toString(java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("Content-Type: text/plain\r\nX-Multi: 1\r\nx-multi: 2\r\nVia: 1.1 a\r\n");
        a.release();
        b.release();
    }
}
