package io.outrigger.filter.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamFilter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's local rate limit: each request takes a token from its bucket — the route's ({@code typed_per_filter_config})
 * or the listener's, per descriptor value when one applies — or is answered locally: 429 (or the configured status),
 * {@code retry-after} in seconds, {@code x-ratelimit-*} when enabled, flag RL. One per stream.
 */
final class LocalRateLimitFilter implements StreamFilter {
    static final String NAME = "local_ratelimit";

    private final LocalRateLimitConfig listenerConfig;
    private StreamDecoderFilterCallbacks callbacks;
    private LocalRateLimitConfig config;
    private TokenBucket.Outcome outcome;
    private TokenBucket used;

    LocalRateLimitFilter(LocalRateLimitConfig listenerConfig) {
        this.listenerConfig = listenerConfig;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        Object routeConfig = callbacks.routeSpecificConfig(NAME);
        config = routeConfig instanceof LocalRateLimitConfig c ? c : listenerConfig;
        used = bucket(config, request.headers());
        outcome = used.tryAcquire();
        if (outcome.allowed()) {
            config.stats().ok().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        config.stats().rateLimited().increment();
        long resetSeconds = Math.max(1, (outcome.resetNanos() + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        callbacks.sendLocalReply(HttpResponseStatus.valueOf(config.status()), "local_rate_limited", ResponseFlag.RATE_LIMITED,
                h -> {
                    h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(resetSeconds));
                    // the local reply passes the encoder filters too: encodeHeaders adds x-ratelimit-* there
                });
        return FilterHeadersStatus.STOP_ITERATION;
    }

    private TokenBucket bucket(LocalRateLimitConfig c, HttpHeaders headers) {
        for (LocalRateLimitConfig.Descriptor d : c.descriptors()) {
            String value = switch (d.source()) {
                case REQUEST_HEADERS -> headers.get(d.headerName());
                case REMOTE_ADDRESS -> ip(callbacks.streamInfo().downstreamRemoteAddress());
            };
            if (value != null) {
                return d.bucket(value);
            }
        }
        return c.bucket();
    }

    private static String ip(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : null;
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        if (config != null && config.xRateLimitHeaders() && outcome != null) {
            HttpHeaders h = response.headers();
            h.set("x-ratelimit-limit", Integer.toString(used.maxTokens()));
            h.set("x-ratelimit-remaining", Integer.toString(outcome.remaining()));
            h.set("x-ratelimit-reset", Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(outcome.resetNanos()
                    + TimeUnit.SECONDS.toNanos(1) - 1))));
        }
        return FilterHeadersStatus.CONTINUE;
    }
}
