package io.outrigger.router;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.DirectResponseAction;
import io.outrigger.config.RedirectAction;
import io.outrigger.config.RouteConfig;
import java.nio.charset.StandardCharsets;

/**
 * The answers a route gives itself: {@code redirect} (a {@code Location} built from the request, Envoy's
 * {@code RedirectAction} rules) and {@code direct_response}. Both go through the encoder filters like an upstream
 * response, carry no response flag, and end the stream; the request body, if any, is discarded by the codec.
 */
final class RouteReplies {
    private static final String X_FORWARDED_PROTO = "x-forwarded-proto"; // set by the connection manager
    private RouteReplies() {
    }

    /**
     * Sends the route's own answer.
     *
     * @param route a route whose action is a {@link RedirectAction} or {@link DirectResponseAction}
     */
    static void send(RouterStreamCallbacks callbacks, RouteEntry route, HttpRequest request) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        RouteConfig.Action a = route.action();
        if (a instanceof RedirectAction r) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.responseCode()));
            response.headers().set(HttpHeaderNames.LOCATION, location(r, route, request))
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            callbacks.encodeHeaders(response, true);
        } else if (a instanceof DirectResponseAction d) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(d.status()));
            byte[] body = d.body() == null ? new byte[0] : d.body().getBytes(StandardCharsets.UTF_8);
            if (body.length > 0) {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            boolean headersOnly = head || body.length == 0;
            callbacks.encodeHeaders(response, headersOnly);
            if (!headersOnly) {
                callbacks.encodeData(Unpooled.wrappedBuffer(body), true);
            }
        } else {
            throw new IllegalArgumentException("not a redirect or direct response: " + a);
        }
    }

    /**
     * The redirect target for a request (Envoy's {@code RouteEntryImplBase::newUri}).
     *
     * @param request its {@code Host} and {@code x-forwarded-proto} (set by the connection manager) give the
     *                current authority and scheme
     * @return an absolute URL
     */
    static String location(RedirectAction r, RouteEntry route, HttpRequest request) {
        String oldScheme = request.headers().get(X_FORWARDED_PROTO, "http");
        String scheme = r.scheme() != null ? r.scheme() : oldScheme;
        String authority = request.headers().get(HttpHeaderNames.HOST, "");
        int colon = portColon(authority);
        String host = colon < 0 ? authority : authority.substring(0, colon);
        String port = colon < 0 ? "" : authority.substring(colon + 1);
        if (r.host() != null) {
            host = r.host();
        }
        if (r.port() != 0) {
            port = Integer.toString(r.port());
        } else if (!scheme.equals(oldScheme) && port.equals(defaultPort(oldScheme))) {
            port = ""; // http://h:80 → https://h, not https://h:80
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q);
        if (r.path() != null) {
            path = r.path();
            if (path.indexOf('?') >= 0) {
                query = ""; // path_redirect's own query replaces the request's (and is not stripped)
            }
        } else if (r.prefixRewrite() != null) {
            path = r.prefixRewrite() + path.substring(Math.min(route.match().path().length(), path.length()));
        } else if (r.regexRewrite() != null) {
            path = r.regexRewrite().apply(path);
        }
        if (r.stripQuery()) {
            query = "";
        }
        return scheme + "://" + host + (port.isEmpty() ? "" : ":" + port) + path + query;
    }

    /** The index of the colon before the port in an authority (IPv6 literals are bracketed), or -1. */
    private static int portColon(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > authority.lastIndexOf(']') ? colon : -1;
    }

    private static String defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> "80";
            case "https" -> "443";
            default -> "";
        };
    }
}
