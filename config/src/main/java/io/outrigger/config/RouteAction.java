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
 */
public record RouteAction(String cluster, Duration timeout, String prefixRewrite, String hostRewriteLiteral,
                          List<HashPolicy> hashPolicy, RetryPolicy retryPolicy) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public RouteAction {
        hashPolicy = List.copyOf(hashPolicy);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
        }
    }
}
