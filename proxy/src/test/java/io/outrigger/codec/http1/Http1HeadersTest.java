package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Hop-by-hop fields (RFC 9110 §7.6.1) leave a message at the HTTP/1.1 edge. */
class Http1HeadersTest {
    /** Both containers the codecs see: the flat array (counted without a list) and Netty's. */
    private static java.util.List<HttpHeaders> containers() {
        return java.util.List.of(new io.outrigger.codec.ArrayHttpHeaders(io.outrigger.codec.HeaderValidation.NONE),
                new DefaultHttpHeaders(false));
    }

    @Test
    void fieldsNamedByConnectionGoWithTheFixedHopByHopOnes() {
        for (HttpHeaders h : containers()) {
            h.add("Connection", " Keep-Alive ,\tX-A ,, close").add("Connection", "x-b").add("X-A", "1").add("x-b", "2")
                    .add("Close", "3").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                    .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("X-Kept", "4");
            Http1Headers.removeHopByHop(h);
            assertThat(h.names()).as(h.getClass().getSimpleName()).containsExactly("X-Kept");
        }
        for (HttpHeaders h : containers()) { // one Connection field, the usual case
            h.add("X-Kept", "1").add("connection", "keep-alive, X-A").add("x-a", "2");
            Http1Headers.removeHopByHop(h);
            assertThat(h.names()).as(h.getClass().getSimpleName()).containsExactly("X-Kept");
        }
    }

    @Test
    void teSurvivesOnlyAsTrailersEvenWhenConnectionNamesIt() {
        for (HttpHeaders h : containers()) {
            h.add("Connection", "TE").add("TE", "trailers");
            Http1Headers.removeHopByHop(h);
            assertThat(h.get("te")).isEqualTo("trailers");
        }
        for (HttpHeaders gz : containers()) {
            gz.add("TE", "gzip");
            Http1Headers.removeHopByHop(gz);
            assertThat(gz.isEmpty()).isTrue();
        }
        for (HttpHeaders twice : containers()) { // two TE fields are not "TE: trailers"
            twice.add("TE", "trailers").add("te", "trailers");
            Http1Headers.removeHopByHop(twice);
            assertThat(twice.isEmpty()).isTrue();
        }
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
