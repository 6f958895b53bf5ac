package io.outrigger.codec.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * Checks the framing and target rules of an HTTP/1.x request that Netty's decoder accepts but a proxy
 * must not forward (RFC 9112). A request that fails is answered 400 and never forwarded.
 */
public final class Http1RequestValidator {
    /** Envoy's default {@code max_headers_count}: more header fields than this get 431. */
    public static final int MAX_HEADERS_COUNT = 100;

    private Http1RequestValidator() {
    }

    /** Whether a request (of either protocol) has more than {@link #MAX_HEADERS_COUNT} header fields. */
    public static boolean tooManyHeaders(HttpRequest request) {
        return request.headers().size() > MAX_HEADERS_COUNT;
    }

    /**
     * Validates, and rewrites an absolute-form target ({@code GET http://host/path}) to origin form with
     * its authority as {@code Host} (RFC 9112 §3.2.2).
     *
     * @return {@code null} when acceptable, else the reason for a 400
     */
    public static String validate(HttpRequest request) {
        HttpHeaders h = request.headers();
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                return "Transfer-Encoding in an HTTP/1.0 request"; // RFC 9112 §6.1
            }
            // Only a single "chunked" is accepted; other codings are not supported by the proxy.
            if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
                return "unsupported Transfer-Encoding: " + String.join(", ", te);
            }
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header"; // RFC 9112 §3.2
        }
        if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "missing Host header"; // RFC 9112 §3.2
        }
        if (!hosts.isEmpty() && !validHost(hosts.get(0))) {
            return "invalid Host header";
        }
        String target = request.uri();
        if (HttpMethod.CONNECT.equals(request.method())) {
            // RFC 9112 §3.2.3: authority-form, host and port; whether CONNECT is allowed is the route's decision
            int colon = target.lastIndexOf(':');
            return colon > 0 && colon < target.length() - 1 && validHost(target)
                    && target.substring(colon + 1).chars().allMatch(Character::isDigit) ? null : "invalid CONNECT target";
        }
        if (target.startsWith("/")) {
            return target.indexOf('#') >= 0 ? "fragment in request target" : null;
        }
        if (target.equals("*")) {
            return HttpMethod.OPTIONS.equals(request.method()) ? null : "'*' target with a method other than OPTIONS";
        }
        return absoluteForm(request, target);
    }

    private static String absoluteForm(HttpRequest request, String target) {
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            return "invalid request target";
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getRawAuthority() == null || uri.getRawFragment() != null) {
            return "invalid request target";
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        request.setUri(uri.getRawQuery() == null ? path : path + '?' + uri.getRawQuery());
        request.headers().set(HttpHeaderNames.HOST, uri.getRawAuthority());
        return null;
    }

    // reg-name / IPv4 / [IPv6] with an optional port; no whitespace, userinfo or path characters.
    private static boolean validHost(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_' || c == '~' || c == '%';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The status for a request Netty's decoder could not parse: 431 (headers too large), 414 (long line), else 400. */
    static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                && !(cause instanceof TooLongHttpLineException)) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
