package io.outrigger.filter.rbac;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's RBAC filter on one stream: the shadow rules are evaluated and only counted and logged; the enforced rules
 * (the route's or virtual host's {@code typed_per_filter_config: { rbac: { rbac: {...} } }}, else the listener's) let
 * the request through or answer 403 {@code RBAC: access denied} here — it never reaches the upstream.
 */
final class RbacFilter implements StreamDecoderFilter {
    static final String NAME = "rbac";
    private static final Logger log = LoggerFactory.getLogger(RbacFilter.class);

    private final RbacFilterFactory.Settings listener;
    private StreamDecoderFilterCallbacks callbacks;

    RbacFilter(RbacFilterFactory.Settings listener) {
        this.listener = listener;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        Object route = callbacks.routeSpecificConfig(NAME);
        RbacFilterFactory.Settings s = route instanceof RbacFilterFactory.Settings r ? r : listener;
        RbacFilterFactory.Stats stats = listener.stats();
        if (s.shadowRules() != null) {
            RbacRules.Decision shadow = s.shadowRules().evaluate(request, callbacks.streamInfo());
            (shadow.allowed() ? stats.shadowAllowed() : stats.shadowDenied()).increment();
            if (log.isDebugEnabled()) {
                log.debug("rbac shadow {} {} {}: {} (policy {})", request.method(), request.uri(),
                        callbacks.streamInfo().downstreamRemoteAddress(), shadow.allowed() ? "allowed" : "denied",
                        shadow.matchedPolicy());
            }
        }
        if (s.rules() == null) {
            return FilterHeadersStatus.CONTINUE;
        }
        RbacRules.Decision d = s.rules().evaluate(request, callbacks.streamInfo());
        if (d.allowed()) {
            stats.allowed().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        stats.denied().increment();
        log.debug("rbac denied {} {} from {} (policy {})", request.method(), request.uri(),
                callbacks.streamInfo().downstreamRemoteAddress(), d.matchedPolicy());
        callbacks.sendLocalReply(HttpResponseStatus.FORBIDDEN, "RBAC: access denied", ResponseFlag.RBAC_ACCESS_DENIED);
        return FilterHeadersStatus.STOP_ITERATION;
    }
}
