package io.outrigger.codec.http2;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * Between HTTP/2 header blocks and the protocol-neutral request/response the core sees (RFC 9113 §8.3):
 * pseudo-headers become the request line, status or {@code Host}, cookie crumbs are joined (§8.2.3), and
 * outgoing blocks are lowercased with connection-specific headers removed (§8.2.2, through Netty's
 * {@link HttpConversionUtil}). No {@code x-http2-*} extension headers are added.
 */
public final class Http2HeaderConversion {
    private Http2HeaderConversion() {
    }

    /** Why a request header block is malformed (RFC 9113 §8.3.1), or {@code null} when it is acceptable. */
    public static String validateRequest(Http2Headers h) {
        CharSequence method = h.method();
        if (method == null || method.length() == 0) {
            return "missing :method";
        }
        boolean connect = AsciiString.contentEquals(method, "CONNECT");
        if (connect && h.get(Http2Headers.PseudoHeaderName.PROTOCOL.value()) == null) {
            return h.scheme() != null || h.path() != null ? "CONNECT with :scheme or :path"
                    : h.authority() == null ? "CONNECT without :authority" : null;
        }
        if (h.scheme() == null || h.scheme().length() == 0) {
            return "missing :scheme";
        }
        CharSequence path = h.path();
        if (path == null || path.length() == 0) {
            return "missing :path";
        }
        return io.outrigger.codec.http1.Http1RequestValidator.targetProblem(path); // what HTTP/1.1 refuses too
    }

    /** Whether a trailer block carries a pseudo-header (forbidden, RFC 9113 §8.1). */
    public static boolean hasPseudoHeader(Http2Headers h) {
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            CharSequence n = e.getKey();
            if (n.length() > 0 && n.charAt(0) == ':') {
                return true;
            }
        }
        return false;
    }

    /**
     * @param h a block that passed {@link #validateRequest}
     * @throws IllegalArgumentException when the method is not a valid token
     */
    public static HttpRequest toRequest(Http2Headers h) {
        HttpHeaders out = copyRegular(h, new DefaultHttpHeaders(false));
        CharSequence authority = h.authority();
        if (authority != null) {
            out.set(HttpHeaderNames.HOST, authority); // RFC 9113 §8.3.1: :authority wins over Host
        }
        CharSequence path = h.path();
        String target = path != null ? path.toString() : authority != null ? authority.toString() : "/";
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(h.method().toString()), target, out);
    }

    /**
     * RFC 8441 §4-5: turns an extended CONNECT with {@code :protocol websocket} (already converted by
     * {@link #toRequest}) into the equivalent HTTP/1.1 upgrade request in place: {@code GET}, {@code Upgrade:
     * websocket}, {@code Connection: upgrade}, and a fresh {@code Sec-WebSocket-Key} (RFC 6455 §4.1; RFC 8441 has
     * none, an HTTP/1.1 upstream needs one).
     *
     * @return whether the request was an extended CONNECT for WebSocket
     */
    public static boolean toWebSocketUpgrade(Http2Headers h, HttpRequest request) {
        CharSequence protocol = h.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
        if (protocol == null || !AsciiString.contentEqualsIgnoreCase(protocol, "websocket")
                || !AsciiString.contentEquals(h.method(), "CONNECT")) {
            return false;
        }
        request.setMethod(HttpMethod.GET);
        HttpHeaders out = request.headers();
        out.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        if (!out.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            byte[] key = new byte[16];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
            out.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, java.util.Base64.getEncoder().encodeToString(key));
        }
        return true;
    }

    /** RFC 8441 §5: the upstream's 101 to a bridged WebSocket upgrade becomes a 200 without the HTTP/1.1 upgrade headers. */
    public static void toExtendedConnectResponse(HttpResponse r) {
        if (r.status().code() == 101) {
            r.setStatus(HttpResponseStatus.OK);
        }
        r.headers().remove(HttpHeaderNames.UPGRADE).remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    }

    /** @throws IllegalArgumentException when {@code :status} is missing or not a number */
    public static HttpResponse toResponse(Http2Headers h) {
        CharSequence status = h.status();
        if (status == null) {
            throw new IllegalArgumentException("missing :status");
        }
        HttpHeaders out = copyRegular(h, new DefaultHttpHeaders(false));
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.parseLine(status), out);
    }

    /** Trailers: every field of the block (a trailer block has no pseudo-headers). */
    public static HttpHeaders toTrailers(Http2Headers h) {
        return copyRegular(h, new DefaultHttpHeaders(false));
    }

    private static HttpHeaders copyRegular(Http2Headers h, HttpHeaders out) {
        StringBuilder cookie = null;
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            CharSequence name = e.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                cookie = cookie == null ? new StringBuilder(e.getValue()) : cookie.append("; ").append(e.getValue());
                continue;
            }
            out.add(name, e.getValue());
        }
        if (cookie != null) {
            out.set(HttpHeaderNames.COOKIE, cookie.toString());
        }
        return out;
    }

    /** A response header block: {@code :status} and the lowercased end-to-end headers. */
    public static Http2Headers fromResponse(HttpResponse r) {
        Http2Headers out = new DefaultHttp2Headers(false, r.headers().size() + 1);
        out.status(r.status().codeAsText());
        HttpConversionUtil.toHttp2Headers(r.headers(), out);
        return out;
    }

    /**
     * A request header block.
     *
     * @param scheme {@code http} or {@code https}: how this hop is secured
     */
    public static Http2Headers fromRequest(HttpRequest r, String scheme) {
        Http2Headers out = new DefaultHttp2Headers(false, r.headers().size() + 4);
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
        HttpConversionUtil.toHttp2Headers(r.headers(), out); // drops Host, Connection & co; keeps te: trailers
        return out;
    }

    /** A trailer block (no pseudo-headers). */
    public static Http2Headers fromTrailers(HttpHeaders t) {
        Http2Headers out = new DefaultHttp2Headers(false, t.size());
        HttpConversionUtil.toHttp2Headers(t, out);
        return out;
    }
}
