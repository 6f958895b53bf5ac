package io.outrigger.codec.http3;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.outrigger.codec.MultiplexedHeaders;

/**
 * From the protocol-neutral response to HTTP/3 field sections (RFC 9114 §4.2): names lowercased, connection-specific
 * fields left out (§4.2: {@code connection}, {@code keep-alive}, {@code proxy-connection}, {@code transfer-encoding},
 * {@code upgrade}; {@code te} only as {@code trailers}). The request side is {@link io.outrigger.codec.MultiplexedHeaders}.
 */
final class Http3HeaderConversion {
    private Http3HeaderConversion() {
    }

    /** A response field section: {@code :status} and the end-to-end fields. */
    static Http3Headers fromResponse(HttpResponse r) {
        Http3Headers out = new DefaultHttp3Headers(false, r.headers().size() + 1);
        out.status(r.status().codeAsText());
        MultiplexedHeaders.copyEndToEnd(r.headers(), out);
        return out;
    }

    /** A trailer section (no pseudo-header). */
    static Http3Headers fromTrailers(HttpHeaders t) {
        Http3Headers out = new DefaultHttp3Headers(false, t.size());
        MultiplexedHeaders.copyEndToEnd(t, out);
        return out;
    }
}
