package io.outrigger.tracing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The attributes of recorded spans: OpenTelemetry's HTTP semantic conventions (server and client spans,
 * stable since semconv 1.23; keys from {@code opentelemetry-semconv}) plus Outrigger's own, namespaced
 * {@code outrigger.*}. Called only for recording spans, on the stream's event loop.
 */
final class HttpSpanAttributes {
    static final AttributeKey<String> LISTENER = AttributeKey.stringKey("outrigger.listener");
    static final AttributeKey<String> CLUSTER = AttributeKey.stringKey("outrigger.upstream_cluster");
    static final AttributeKey<String> UPSTREAM_HOST = AttributeKey.stringKey("outrigger.upstream_host");
    static final AttributeKey<String> RESPONSE_FLAGS = AttributeKey.stringKey("outrigger.response_flags");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("outrigger.request_id");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("outrigger.attempt");
    static final AttributeKey<Boolean> HEDGE_WINNER = AttributeKey.booleanKey("outrigger.hedge_winner");
    static final AttributeKey<Boolean> SHADOW = AttributeKey.booleanKey("outrigger.shadow");
    static final AttributeKey<String> CLIENT_TRACE_ID = AttributeKey.stringKey("outrigger.client_trace_id");

    private HttpSpanAttributes() {
    }

    /** What is known when a downstream request's headers arrive. */
    static void onServerStart(Span span, HttpRequest request, String protocol, String scheme, SocketAddress remote,
                              String listener, boolean forceTrace) {
        HttpHeaders h = request.headers();
        span.setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, request.method().name());
        span.setAttribute(UrlAttributes.URL_SCHEME, scheme);
        span.setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, protocol);
        span.setAttribute(LISTENER, listener);
        String uri = request.uri();
        int q = uri.indexOf('?');
        span.setAttribute(UrlAttributes.URL_PATH, q < 0 ? uri : uri.substring(0, q));
        if (q >= 0) {
            span.setAttribute(UrlAttributes.URL_QUERY, uri.substring(q + 1));
        }
        String authority = h.get(HttpHeaderNames.HOST);
        if (authority != null) {
            setServerAddress(span, authority);
        }
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            span.setAttribute(ClientAttributes.CLIENT_ADDRESS, isa.getAddress().getHostAddress());
            span.setAttribute(ClientAttributes.CLIENT_PORT, (long) isa.getPort());
        }
        String ua = h.get(HttpHeaderNames.USER_AGENT);
        if (ua != null) {
            span.setAttribute(UserAgentAttributes.USER_AGENT_ORIGINAL, ua);
        }
        if (forceTrace) {
            span.setAttribute(CLIENT_TRACE_ID, h.get("x-client-trace-id"));
        }
    }

    // server.address / server.port from Host or :authority ("[::1]:8080" keeps its brackets' colons)
    private static void setServerAddress(Span span, String authority) {
        int colon = authority.lastIndexOf(':');
        if (colon > 0 && authority.indexOf(']') < colon) {
            span.setAttribute(ServerAttributes.SERVER_ADDRESS, authority.substring(0, colon));
            try {
                span.setAttribute(ServerAttributes.SERVER_PORT, Long.parseLong(authority.substring(colon + 1)));
            } catch (NumberFormatException e) {
                // not a port: leave it out
            }
        } else {
            span.setAttribute(ServerAttributes.SERVER_ADDRESS, authority);
        }
    }

    /** The outcome of a downstream request; see {@link Tracing#endServerSpan}. */
    static void onServerEnd(Span span, String method, int responseCode, String route, String requestId, String cluster,
                            String upstreamHost, String flags) {
        if (route != null) {
            span.setAttribute(HttpAttributes.HTTP_ROUTE, route);
            span.updateName(method + " " + route); // semantic conventions: "{method} {http.route}"
        }
        if (responseCode > 0) {
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) responseCode);
        }
        if (requestId != null) {
            span.setAttribute(REQUEST_ID, requestId);
        }
        if (cluster != null) {
            span.setAttribute(CLUSTER, cluster);
        }
        if (upstreamHost != null) {
            span.setAttribute(UPSTREAM_HOST, upstreamHost);
        }
        if (flags != null) {
            span.setAttribute(RESPONSE_FLAGS, flags);
        }
        // a server span is an error for 5xx (4xx is the client's doing), or when no response was sent
        if (responseCode >= 500 || responseCode == 0) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, responseCode == 0 ? (flags == null ? "reset" : flags)
                    : Integer.toString(responseCode));
            span.setStatus(StatusCode.ERROR);
        }
    }

    /** One upstream attempt to {@code host}; {@code attempt} counts from 1. */
    static void onClientStart(Span span, String method, String uri, String cluster, InetSocketAddress host, int attempt) {
        span.setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, method);
        span.setAttribute(ServerAttributes.SERVER_ADDRESS, host.getHostString());
        span.setAttribute(ServerAttributes.SERVER_PORT, (long) host.getPort());
        span.setAttribute(UrlAttributes.URL_FULL, "http://" + host.getHostString() + ":" + host.getPort() + uri);
        span.setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1");
        span.setAttribute(CLUSTER, cluster);
        span.setAttribute(ATTEMPT, (long) attempt);
        if (attempt > 1) {
            span.setAttribute(HttpAttributes.HTTP_REQUEST_RESEND_COUNT, (long) (attempt - 1));
        }
    }

    /** An attempt's outcome: a client span is an error from 400 up, or with an explicit reason. */
    static void onClientEnd(Span span, int status, String errorType) {
        if (status > 0) {
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
        }
        String error = errorType != null ? errorType : status >= 400 ? Integer.toString(status) : null;
        if (error != null) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, error);
            span.setStatus(StatusCode.ERROR);
        }
    }
}
