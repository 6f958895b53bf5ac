package io.outrigger.filter.cors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamFilter;
import java.util.concurrent.atomic.LongAdder;

/**
 * Envoy's CORS filter (the Fetch standard's CORS protocol): a request with an allowed {@code Origin} gets
 * {@code access-control-allow-origin} (the origin, echoed; {@code vary: origin}), credentials and exposed headers on its
 * response; a preflight ({@code OPTIONS} with {@code access-control-request-method}) from an allowed origin is answered
 * here, 200 with the allowed methods, headers and max age, and never reaches the upstream. A request from an origin that
 * is not allowed passes untouched, with no CORS headers (the browser then refuses the response to the page). The
 * policy is the route's or virtual host's ({@code typed_per_filter_config}), else the listener's. One per stream.
 */
final class CorsFilter implements StreamFilter {
    static final String NAME = "cors";

    /** Envoy's counters ({@code cors.origin_valid}, {@code cors.origin_invalid}). */
    record Stats(LongAdder originValid, LongAdder originInvalid) {
    }

    private final CorsPolicy listenerPolicy;
    private final Stats stats;
    private StreamDecoderFilterCallbacks callbacks;
    private CorsPolicy policy; // the policy of an allowed CORS request; null otherwise
    private String origin;

    CorsFilter(CorsPolicy listenerPolicy, Stats stats) {
        this.listenerPolicy = listenerPolicy;
        this.stats = stats;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        HttpHeaders h = request.headers();
        String o = h.get(HttpHeaderNames.ORIGIN);
        if (o == null) {
            return FilterHeadersStatus.CONTINUE; // not a CORS request
        }
        Object route = callbacks.routeSpecificConfig(NAME);
        CorsPolicy p = route instanceof CorsPolicy c ? c : listenerPolicy;
        if (p == null) {
            return FilterHeadersStatus.CONTINUE;
        }
        if (!p.allows(o)) {
            stats.originInvalid().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        stats.originValid().increment();
        if (HttpMethod.OPTIONS.equals(request.method()) && h.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            callbacks.sendLocalReply(HttpResponseStatus.OK, "", null, r -> {
                r.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, o);
                if (p.allowCredentials()) {
                    r.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                }
                if (p.allowMethods() != null) {
                    r.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, p.allowMethods());
                }
                if (p.allowHeaders() != null) {
                    r.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, p.allowHeaders());
                }
                if (p.maxAge() != null) {
                    r.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, p.maxAge());
                }
                r.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            });
            return FilterHeadersStatus.STOP_ITERATION;
        }
        policy = p;
        origin = o;
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        if (policy == null) {
            return FilterHeadersStatus.CONTINUE;
        }
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if (policy.allowCredentials()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (policy.exposeHeaders() != null) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, policy.exposeHeaders());
        }
        h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        return FilterHeadersStatus.CONTINUE;
    }
}
