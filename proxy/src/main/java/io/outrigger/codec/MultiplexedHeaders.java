package io.outrigger.codec;

import io.netty.handler.codec.Headers;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.outrigger.codec.http1.Http1RequestValidator;
import java.util.Map;

/**
 * Request header blocks of the multiplexed protocols — HTTP/2 (RFC 9113 §8.3) and HTTP/3 (RFC 9114 §4.3), which share
 * their pseudo-headers and rules — and the protocol-neutral request the core sees: pseudo-headers become the request
 * line and {@code Host}, cookie crumbs are joined (RFC 9113 §8.2.3, RFC 9114 §4.2.1), and RFC 8441/9220's extended
 * CONNECT for WebSocket becomes the equivalent HTTP/1.1 upgrade. Works on Netty's {@link Headers} of either codec.
 */
public final class MultiplexedHeaders {
    public static final AsciiString METHOD = AsciiString.cached(":method");
    public static final AsciiString SCHEME = AsciiString.cached(":scheme");
    public static final AsciiString AUTHORITY = AsciiString.cached(":authority");
    public static final AsciiString PATH = AsciiString.cached(":path");
    public static final AsciiString PROTOCOL = AsciiString.cached(":protocol");
    public static final AsciiString STATUS = AsciiString.cached(":status");

    private MultiplexedHeaders() {
    }

    /**
     * Why a request header block is malformed (RFC 9113 §8.3.1, RFC 9114 §4.3.1: a missing {@code :method},
     * {@code :scheme} or {@code :path}; a {@code :path} that is neither an absolute path nor {@code *} for OPTIONS;
     * CONNECT with {@code :scheme} or {@code :path} or without {@code :authority}; a target HTTP/1.1 would refuse
     * too), or {@code null} when it is acceptable.
     */
    public static String validateRequest(Headers<CharSequence, CharSequence, ?> h) {
        CharSequence method = h.get(METHOD);
        if (method == null || method.length() == 0) {
            return "missing :method";
        }
        if (AsciiString.contentEquals(method, "CONNECT") && h.get(PROTOCOL) == null) {
            return h.get(SCHEME) != null || h.get(PATH) != null ? "CONNECT with :scheme or :path"
                    : h.get(AUTHORITY) == null ? "CONNECT without :authority" : null;
        }
        CharSequence scheme = h.get(SCHEME);
        if (scheme == null || scheme.length() == 0) {
            return "missing :scheme";
        }
        CharSequence path = h.get(PATH);
        if (path == null || path.length() == 0) {
            return "missing :path";
        }
        // origin form, or "*" for OPTIONS (RFC 9113 §8.3.1, RFC 9114 §4.3.1)
        if (path.charAt(0) != '/' && !(path.length() == 1 && path.charAt(0) == '*' && AsciiString.contentEquals(method, "OPTIONS"))) {
            return ":path is not an absolute path";
        }
        return Http1RequestValidator.targetProblem(path);
    }

    /** Whether a block carries a pseudo-header (forbidden in trailers: RFC 9113 §8.1, RFC 9114 §4.3). */
    public static boolean hasPseudoHeader(Headers<CharSequence, CharSequence, ?> h) {
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
     * @return method, target (origin form; the authority for CONNECT) and headers, {@code :authority} as {@code Host}
     * @throws IllegalArgumentException when the method is not a valid token
     */
    public static HttpRequest toRequest(Headers<CharSequence, CharSequence, ?> h) {
        HttpHeaders out = copyRegular(h, new ArrayHttpHeaders(HeaderValidation.NONE));
        CharSequence authority = h.get(AUTHORITY);
        if (authority != null) {
            out.set(HttpHeaderNames.HOST, authority); // :authority wins over Host
        }
        CharSequence path = h.get(PATH);
        String target = path != null ? path.toString() : authority != null ? authority.toString() : "/";
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(h.get(METHOD).toString()), target, out);
    }

    /**
     * RFC 8441 §4-5 (RFC 9220 for HTTP/3): turns an extended CONNECT with {@code :protocol websocket} (already
     * converted by {@link #toRequest}) into the equivalent HTTP/1.1 upgrade request in place: {@code GET},
     * {@code Upgrade: websocket}, {@code Connection: upgrade}, and a fresh {@code Sec-WebSocket-Key} (RFC 6455 §4.1).
     *
     * @return whether the request was an extended CONNECT for WebSocket
     */
    public static boolean toWebSocketUpgrade(Headers<CharSequence, CharSequence, ?> h, HttpRequest request) {
        CharSequence protocol = h.get(PROTOCOL);
        if (protocol == null || !AsciiString.contentEqualsIgnoreCase(protocol, "websocket")
                || !AsciiString.contentEquals(h.get(METHOD), "CONNECT")) {
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

    /** Trailers: every regular field of the block. */
    public static HttpHeaders toTrailers(Headers<CharSequence, CharSequence, ?> h) {
        return copyRegular(h, new ArrayHttpHeaders(HeaderValidation.NONE));
    }

    /** Copies every field but the pseudo-headers into {@code out}, joining {@code cookie} crumbs with "; ". */
    public static HttpHeaders copyRegular(Headers<CharSequence, CharSequence, ?> h, HttpHeaders out) {
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

    /**
     * Copies the end-to-end fields of an HTTP/1.1-shaped header set into an HTTP/2 or HTTP/3 field block (RFC 9113
     * §8.2.2, RFC 9114 §4.2): names lowercased; the connection-specific fields ({@code connection}, {@code keep-alive},
     * {@code proxy-connection}, {@code transfer-encoding}, {@code upgrade}, and {@code host}, which travels as
     * {@code :authority}) and any field a {@code Connection} header names are left out; {@code te} only as
     * {@code trailers}. Allocates nothing but the block's entries when the names are lowercase {@link AsciiString}s
     * (Outrigger's own are) or names the HTTP/1.1 decoders interned ({@link KnownHeaderNames}), where Netty's
     * {@code HttpConversionUtil} built a map of the {@code Connection} tokens for every message.
     */
    public static void copyEndToEnd(HttpHeaders in, Headers<CharSequence, CharSequence, ?> out) {
        java.util.List<String> nominated = in.contains(HttpHeaderNames.CONNECTION) ? in.getAll(HttpHeaderNames.CONNECTION) : null;
        if (in instanceof ArrayHttpHeaders a) {
            for (int i = 0, n = a.size(); i < n; i++) {
                copyEndToEnd(a.nameAt(i), a.valueAt(i), nominated, out);
            }
            return;
        }
        java.util.Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            copyEndToEnd(e.getKey(), e.getValue(), nominated, out);
        }
    }

    private static void copyEndToEnd(CharSequence field, CharSequence value, java.util.List<String> nominated,
                                     Headers<CharSequence, CharSequence, ?> out) {
        AsciiString name = KnownHeaderNames.toLowerCase(field);
        if (connectionSpecific(name) || nominated != null && nominatedBy(nominated, name)) {
            return;
        }
        if (name.contentEquals(HttpHeaderNames.TE)) {
            if (HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(AsciiString.trim(value))) {
                out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
            return;
        }
        out.add(name, value);
    }

    private static boolean connectionSpecific(AsciiString name) {
        return name.contentEquals(HttpHeaderNames.CONNECTION) || name.contentEquals(HttpHeaderNames.KEEP_ALIVE)
                || name.contentEquals(HttpHeaderNames.PROXY_CONNECTION) || name.contentEquals(HttpHeaderNames.TRANSFER_ENCODING)
                || name.contentEquals(HttpHeaderNames.UPGRADE) || name.contentEquals(HttpHeaderNames.HOST);
    }

    /** Whether one of the comma-separated tokens of the {@code Connection} values names {@code name}. */
    private static boolean nominatedBy(java.util.List<String> connectionValues, AsciiString name) {
        for (String v : connectionValues) {
            for (String token : v.split(",")) {
                if (name.contentEqualsIgnoreCase(token.trim())) {
                    return true;
                }
            }
        }
        return false;
    }
}
