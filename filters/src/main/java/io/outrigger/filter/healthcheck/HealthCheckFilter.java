package io.outrigger.filter.healthcheck;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import java.util.Map;

/**
 * Envoy's health check filter: a request that matches the configured headers (typically {@code :path}) is a health
 * check from a load balancer or an orchestrator. It is answered here — 200, or 503 while the server drains or an
 * operator failed it, or while a named cluster has fewer healthy hosts than its minimum percentage — and never reaches
 * the app; with {@code pass_through_mode} it goes upstream unless the server is draining (then 503 here). One per stream.
 */
final class HealthCheckFilter implements StreamDecoderFilter {
    static final String NAME = "health_check";

    private final HealthCheckFilterFactory.Settings settings;
    private StreamDecoderFilterCallbacks callbacks;

    HealthCheckFilter(HealthCheckFilterFactory.Settings settings) {
        this.settings = settings;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        if (!settings.matches(request)) {
            return FilterHeadersStatus.CONTINUE;
        }
        settings.stats().requests().increment();
        if (!callbacks.serverLive()) {
            settings.stats().failed().increment();
            callbacks.sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining", null);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        if (settings.passThrough()) {
            return FilterHeadersStatus.CONTINUE;
        }
        for (Map.Entry<String, Double> min : settings.clusterMinHealthyPercentages().entrySet()) {
            double healthy = callbacks.clusterHealthyPercent(min.getKey());
            if (healthy < min.getValue()) {
                settings.stats().failed().increment();
                callbacks.sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "cluster " + min.getKey() + " has "
                        + Math.round(Math.max(0, healthy)) + "% healthy hosts", null);
                return FilterHeadersStatus.STOP_ITERATION;
            }
        }
        settings.stats().ok().increment();
        callbacks.sendLocalReply(HttpResponseStatus.OK, "", null);
        return FilterHeadersStatus.STOP_ITERATION;
    }
}
