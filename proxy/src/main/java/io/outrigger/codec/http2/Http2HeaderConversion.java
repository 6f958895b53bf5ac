package io.outrigger.codec.http2;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.outrigger.codec.ArrayHttpHeaders;
import io.outrigger.codec.HeaderValidation;
import io.outrigger.codec.MultiplexedHeaders;

/**
 * Between HTTP/2 header blocks and the protocol-neutral request/response the core sees (RFC 9113 §8.3):
 * pseudo-headers become the request line, status or {@code Host}, cookie crumbs are joined (§8.2.3), and
 * outgoing blocks are lowercased with connection-specific headers removed (§8.2.2,
 * {@link MultiplexedHeaders#copyEndToEnd}) into flat {@link ArrayHttp2Headers}. No {@code x-http2-*} extension headers
 * are added.
 */
public final class Http2HeaderConversion {
    private Http2HeaderConversion() {
    }

    /** Why a request header block is malformed (RFC 9113 §8.3.1), or {@code null}: {@link MultiplexedHeaders#validateRequest}. */
    public static String validateRequest(Http2Headers h) {
        return MultiplexedHeaders.validateRequest(h);
    }

    /** Whether a trailer block carries a pseudo-header (forbidden, RFC 9113 §8.1). */
    public static boolean hasPseudoHeader(Http2Headers h) {
        return MultiplexedHeaders.hasPseudoHeader(h);
    }

    /** @see MultiplexedHeaders#toRequest */
    public static HttpRequest toRequest(Http2Headers h) {
        return MultiplexedHeaders.toRequest(h);
    }

    /** @see MultiplexedHeaders#toWebSocketUpgrade */
    public static boolean toWebSocketUpgrade(Http2Headers h, HttpRequest request) {
        return MultiplexedHeaders.toWebSocketUpgrade(h, request);
    }

    /** @see MultiplexedHeaders#toExtendedConnectResponse */
    public static void toExtendedConnectResponse(HttpResponse r) {
        MultiplexedHeaders.toExtendedConnectResponse(r);
    }

    /** @throws IllegalArgumentException when {@code :status} is missing or not a number */
    public static HttpResponse toResponse(Http2Headers h) {
        CharSequence status = h.status();
        if (status == null) {
            throw new IllegalArgumentException("missing :status");
        }
        HttpHeaders out = copyRegular(h, new ArrayHttpHeaders(HeaderValidation.NONE));
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.parseLine(status), out);
    }

    /** Trailers: every field of the block (a trailer block has no pseudo-headers). */
    public static HttpHeaders toTrailers(Http2Headers h) {
        return MultiplexedHeaders.toTrailers(h);
    }

    private static HttpHeaders copyRegular(Http2Headers h, HttpHeaders out) {
        return MultiplexedHeaders.copyRegular(h, out);
    }

    /** A response header block: {@code :status} and the lowercased end-to-end headers. */
    public static Http2Headers fromResponse(HttpResponse r) {
        Http2Headers out = new ArrayHttp2Headers(r.headers().size() + 1);
        out.status(r.status().codeAsText());
        MultiplexedHeaders.copyEndToEnd(r.headers(), out);
        return out;
    }

    /**
     * A request header block.
     *
     * @param scheme {@code http} or {@code https}: how this hop is secured
     */
    public static Http2Headers fromRequest(HttpRequest r, String scheme) {
        Http2Headers out = new ArrayHttp2Headers(r.headers().size() + 4);
        out.method(r.method().asciiName());
        String authority = r.headers().get(HttpHeaderNames.HOST);
        if (HttpMethod.CONNECT.equals(r.method()) && r.headers().get(Http2Headers.PseudoHeaderName.PROTOCOL.value()) == null) {
            out.authority(authority != null ? authority : r.uri());
        } else {
            out.scheme(scheme);
            out.path(r.uri());
            if (authority != null) {
                out.authority(authority);
            }
        }
        MultiplexedHeaders.copyEndToEnd(r.headers(), out); // drops Host, Connection & co; keeps te: trailers
        return out;
    }

    /** A trailer block (no pseudo-headers). */
    public static Http2Headers fromTrailers(HttpHeaders t) {
        Http2Headers out = new ArrayHttp2Headers(t.size());
        MultiplexedHeaders.copyEndToEnd(t, out);
        return out;
    }
}
