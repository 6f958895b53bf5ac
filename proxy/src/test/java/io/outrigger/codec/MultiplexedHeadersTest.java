package io.outrigger.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTP/1.1-shaped headers into HTTP/2 and HTTP/3 field blocks (RFC 9113 §8.2.2, RFC 9114 §4.2). */
class MultiplexedHeadersTest {
    private static List<String> block(HttpHeaders in) {
        Http2Headers out = new DefaultHttp2Headers(false);
        MultiplexedHeaders.copyEndToEnd(in, out);
        List<String> fields = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : out) {
            fields.add(e.getKey() + ": " + e.getValue());
        }
        return fields;
    }

    @Test
    void namesAreLoweredAndConnectionSpecificFieldsLeftOut() {
        HttpHeaders in = new DefaultHttpHeaders(false)
                .add("Content-Type", "text/plain").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("Host", "a").add("X-Trace", "1")
                .add("Cookie", "a=1; b=2");
        assertThat(block(in)).containsExactly("content-type: text/plain", "x-trace: 1", "cookie: a=1; b=2");
    }

    @Test
    void fieldsTheConnectionHeaderNamesAreLeftOut() {
        HttpHeaders in = new DefaultHttpHeaders(false).add("Connection", "keep-alive, X-Hop").add("x-hop", "1")
                .add("X-Other", "2");
        assertThat(block(in)).containsExactly("x-other: 2");
    }

    @Test
    void teIsKeptOnlyAsTrailers() {
        assertThat(block(new DefaultHttpHeaders(false).add("TE", " trailers "))).containsExactly("te: trailers");
        assertThat(block(new DefaultHttpHeaders(false).add("te", "gzip"))).isEmpty();
    }
}
