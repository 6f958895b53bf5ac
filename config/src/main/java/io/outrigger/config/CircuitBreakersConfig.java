package io.outrigger.config;

/**
 * A cluster's {@code circuit_breakers} (Envoy's default thresholds), cluster-wide across workers. An overflow
 * answers 503 at once with {@code x-outrigger-overloaded: true} and flag UO.
 *
 * @param maxConnections      connections to the cluster; with {@code connection_pool.max_connections} the smaller wins
 * @param maxPendingRequests  requests waiting for a connection; with the pool's setting the smaller wins
 * @param maxRequests         requests in flight to the cluster; default 1024
 * @param maxRetries          retries in flight when no retry budget applies; default 3
 * @param budgetPercent       retry budget: retries in flight at most this percent of active requests; default 20
 * @param minRetryConcurrency retry budget floor; default 3
 * @param retryBudget         whether the budget is used (default); {@code retry_budget: null}-like opt-out uses max_retries
 */
public record CircuitBreakersConfig(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
                                    double budgetPercent, int minRetryConcurrency, boolean retryBudget) {
    public static final CircuitBreakersConfig DEFAULT = new CircuitBreakersConfig(1024, 1024, 1024, 3, 20.0, 3, true);
}
