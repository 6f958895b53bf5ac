package io.outrigger.config;

import java.time.Duration;
import java.util.List;

/**
 * Where and how a matched request is forwarded (the route's {@code route:} section).
 *
 * @param cluster            target cluster name (must exist), or {@code null} with {@code weightedClusters}
 * @param weightedClusters   {@code weighted_clusters.clusters}: the target drawn per request by weight (canaries);
 *                           empty with {@code cluster}
 * @param timeout            time allowed for the whole upstream response, counted from the end of the
 *                           downstream request (Envoy's semantics); {@code Duration.ZERO} disables it.
 *                           Default {@link #DEFAULT_TIMEOUT} (15s, Envoy's default)
 * @param prefixRewrite      replaces the matched prefix (or whole path) of the path; only with a {@code prefix} or
 *                           {@code path} match
 * @param regexRewrite       {@code regex_rewrite}, applied to the path after {@code prefix_rewrite}; or {@code null}
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
 * @param mirrorPolicies     {@code request_mirror_policies}: shadow copies to other clusters
 * @param hedgeOnPerTryTimeout {@code hedge_policy.hedge_on_per_try_timeout} (Envoy's): when an attempt passes its
 *                           {@code per_try_timeout}, the retry starts beside it instead of replacing it; the first
 *                           response wins and the other attempt is reset
 */
public record RouteAction(String cluster, List<WeightedCluster> weightedClusters, Duration timeout, String prefixRewrite,
                          RegexRewrite regexRewrite, String hostRewriteLiteral,
                          List<HashPolicy> hashPolicy, RetryPolicy retryPolicy, List<UpgradeConfig> upgradeConfigs,
                          Duration idleTimeout, Duration sseKeepaliveInterval, Duration maxStreamDuration,
                          Duration grpcTimeoutHeaderMax, List<RequestMirrorPolicy> mirrorPolicies,
                          boolean hedgeOnPerTryTimeout)
        implements RouteConfig.Action {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public RouteAction {
        weightedClusters = List.copyOf(weightedClusters);
        if ((cluster == null) == weightedClusters.isEmpty()) {
            throw new IllegalArgumentException("exactly one of cluster and weightedClusters (got " + cluster + ", "
                    + weightedClusters + ")");
        }
        hashPolicy = List.copyOf(hashPolicy);
        mirrorPolicies = List.copyOf(mirrorPolicies);
        upgradeConfigs = List.copyOf(upgradeConfigs);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
        }
    }

    /**
     * The cluster for a request: {@code cluster}, or the weighted cluster that {@code randomValue} lands on — Envoy's
     * rule: {@code randomValue mod total weight}, walking the entries in order (so {@code outrigger test-routes}'
     * {@code random_value} selects as Envoy's router_check_tool does).
     *
     * @param randomValue any non-negative value, uniformly drawn per request
     */
    public String clusterFor(long randomValue) {
        if (cluster != null) {
            return cluster;
        }
        long total = 0;
        for (WeightedCluster w : weightedClusters) {
            total += w.weight();
        }
        if (total == 0) {
            return weightedClusters.get(0).name();
        }
        long point = Math.floorMod(randomValue, total);
        long sum = 0;
        for (WeightedCluster w : weightedClusters) {
            sum += w.weight();
            if (point < sum) {
                return w.name();
            }
        }
        return weightedClusters.get(weightedClusters.size() - 1).name(); // unreachable: point < total
    }

    /** Every cluster this action can send to, in config order. */
    public List<String> clusterNames() {
        return cluster != null ? List.of(cluster) : weightedClusters.stream().map(WeightedCluster::name).toList();
    }
}
