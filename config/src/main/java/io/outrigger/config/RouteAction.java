package io.outrigger.config;

import java.time.Duration;
import java.util.List;

/**
 * Where and how a matched request is forwarded (the route's {@code route:} section).
 *
 * @param cluster            target cluster name; must exist
 * @param timeout            time allowed for the whole upstream response, counted from the end of the
 *                           downstream request (Envoy's semantics); {@code Duration.ZERO} disables it.
 *                           Default {@link #DEFAULT_TIMEOUT} (15s, Envoy's default)
 * @param prefixRewrite      replaces the matched prefix (or whole path) of the path; only with a {@code prefix} or
 *                           {@code path} match
 * @param hostRewriteLiteral replaces the {@code Host}/{@code :authority} sent upstream
 * @param hashPolicy         sources of the consistent-hash key, evaluated in order
 * @param retryPolicy        the route's retry policy, or {@code null} for none (only a stale keep-alive
 *                           connection is retried then)
 * @param upgradeConfigs     {@code upgrade_configs}: overrides the listener's per upgrade type
 * @param idleTimeout        {@code idle_timeout}: the stream idle timeout for this route, overriding the listener's
 *                           {@code stream_idle_timeout}; {@code null}: the listener's; {@code ZERO}: none
 * @param sseKeepaliveInterval {@code sse_keepalive_interval}: when a {@code text/event-stream} response is silent this
 *                           long, an SSE comment line ({@code :\n\n}) is written; {@code null}: off (the default)
 * @param maxStreamDuration  {@code max_stream_duration.max_stream_duration}: a stream on this route ends after this long
 *                           whatever it does (408 before the response, a reset after; flag {@code UMSDR});
 *                           {@code null}: no limit
 * @param grpcTimeoutHeaderMax {@code max_stream_duration.grpc_timeout_header_max}: caps a caller's {@code grpc-timeout};
 *                           {@code null} or zero: no cap
 */
public record RouteAction(String cluster, Duration timeout, String prefixRewrite, String hostRewriteLiteral,
                          List<HashPolicy> hashPolicy, RetryPolicy retryPolicy, List<UpgradeConfig> upgradeConfigs,
                          Duration idleTimeout, Duration sseKeepaliveInterval, Duration maxStreamDuration,
                          Duration grpcTimeoutHeaderMax) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public RouteAction {
        hashPolicy = List.copyOf(hashPolicy);
        upgradeConfigs = List.copyOf(upgradeConfigs);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
        }
    }
}
