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
import io.outrigger.codec.ArrayHttpHeaders;
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
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                return "Transfer-Encoding in an HTTP/1.0 request"; // RFC 9112 §6.1
            }
            // Only a single "chunked" is accepted; other codings are not supported by the proxy.
            if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
                return "unsupported Transfer-Encoding: " + String.join(", ", te);
            }
        }
        int hosts = ArrayHttpHeaders.count(h, HttpHeaderNames.HOST);
        if (hosts > 1) {
            return "more than one Host header"; // RFC 9112 §3.2
        }
        if (hosts == 0 && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "missing Host header"; // RFC 9112 §3.2
        }
        if (hosts == 1 && !validHost(h.get(HttpHeaderNames.HOST))) {
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

    /** A request line refused with {@code status} (400 or 505). */
    static final class InvalidRequestLineException extends IllegalArgumentException {
        final HttpResponseStatus status;

        InvalidRequestLineException(HttpResponseStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Checks a request line's target and version as the decoder read them (RFC 9112 §3).
     *
     * <p>The version must be {@code HTTP/} (case-sensitive, §2.3) and one digit, a dot and one digit; a major version
     * other than 1 is refused with 505 (RFC 9110 §15.6.6), and {@code HTTP/1.x} with x above 1 is served as HTTP/1.1
     * (RFC 9110 §2.5). The target may hold only the characters of RFC 3986's grammar (RFC 9112 §3.2): no control
     * character, space, DEL or byte above 0x7F, no {@code "}, {@code <}, {@code >} or {@code \} (which some servers
     * take for {@code /}: a route bypass), and every {@code %} starts a two-hex-digit escape. The characters
     * {@code { } | ^ `} and brackets are tolerated, as nginx and Envoy do, since real clients send them unescaped.
     *
     * @param target  the request-target, as ISO-8859-1 characters
     * @param version the HTTP-version text
     * @return the version text to parse ({@code HTTP/1.1} for a later 1.x minor)
     * @throws InvalidRequestLineException with 400 or 505 when the line is refused
     */
    static String checkRequestLine(String target, String version) {
        if (version.length() != 8 || !version.startsWith("HTTP/") || !isDigit(version.charAt(5))
                || version.charAt(6) != '.' || !isDigit(version.charAt(7))) {
            throw new InvalidRequestLineException(HttpResponseStatus.BAD_REQUEST, "invalid HTTP version");
        }
        if (version.charAt(5) != '1') {
            throw new InvalidRequestLineException(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    "HTTP version " + version + " not supported");
        }
        String problem = targetProblem(target);
        if (problem != null) {
            throw new InvalidRequestLineException(HttpResponseStatus.BAD_REQUEST, problem);
        }
        return version.charAt(7) > '1' ? "HTTP/1.1" : version;
    }

    /**
     * The character rules of {@link #checkRequestLine} for a request target (also an HTTP/2 {@code :path}).
     *
     * @return {@code null} when acceptable, else what is wrong
     */
    public static String targetProblem(CharSequence target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') {
                return String.format("invalid character 0x%02x in the request target", (int) c);
            }
            if (c == '%' && (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2)))) {
                return "invalid percent-encoding in the request target";
            }
        }
        return null;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * The status for a request Netty's decoder could not parse: 431 (headers too large), 414 (long line), the status
     * of a refused request line (400 or 505), else 400.
     */
    static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof InvalidRequestLineException e) {
            return e.status;
        }
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
