package io.outrigger.upstream;

import io.outrigger.config.CircuitBreakersConfig;
import io.outrigger.config.ClusterConfig;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster-wide resource counts behind the circuit breakers (Envoy's resource manager), shared by all
 * workers: connections, requests waiting for a connection, requests in flight, and retries in flight
 * (bounded by the retry budget — a share of requests in flight with a floor — or by {@code max_retries}).
 */
public final class ClusterResources {
    private final int maxConnections;
    private final int maxPendingRequests;
    private final int maxRequests;
    private final int maxRetries;
    private final double budgetPercent;
    private final int minRetryConcurrency;
    private final boolean retryBudget;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger pendingRequests = new AtomicInteger();
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicInteger activeRetries = new AtomicInteger();
    // changes twice per request on every worker: striped, read only by the admin API
    private final java.util.concurrent.atomic.LongAdder idleConnections = new java.util.concurrent.atomic.LongAdder();
    // Retry tokens in hundredths: each request deposits budget_percent, each retry withdraws 100.
    private final java.util.concurrent.atomic.AtomicLong retryTokens = new java.util.concurrent.atomic.AtomicLong();
    private final long retryTokenCap;

    /** Limits for connections and pending requests only (no request or retry limits); for tests. */
    public ClusterResources(int maxConnections, int maxPendingRequests) {
        this(maxConnections, maxPendingRequests, Integer.MAX_VALUE, Integer.MAX_VALUE, 100, Integer.MAX_VALUE, false);
    }

    public ClusterResources(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
                            double budgetPercent, int minRetryConcurrency, boolean retryBudget) {
        this.maxConnections = maxConnections;
        this.maxPendingRequests = maxPendingRequests;
        this.maxRequests = maxRequests;
        this.maxRetries = maxRetries;
        this.budgetPercent = budgetPercent;
        this.minRetryConcurrency = minRetryConcurrency;
        this.retryBudget = retryBudget;
        // Start with min_retry_concurrency retries; bank at most max(min, budget_percent% of 100 requests).
        this.retryTokens.set(100L * minRetryConcurrency);
        this.retryTokenCap = 100L * Math.max(minRetryConcurrency, (long) budgetPercent);
    }

    /** The limits of a cluster: where connection_pool and circuit_breakers both set one, the smaller wins. */
    public static ClusterResources of(ClusterConfig c) {
        CircuitBreakersConfig cb = c.circuitBreakers();
        return new ClusterResources(Math.min(c.connectionPool().maxConnections(), cb.maxConnections()),
                Math.min(c.connectionPool().maxPendingRequests(), cb.maxPendingRequests()),
                cb.maxRequests(), cb.maxRetries(), cb.budgetPercent(), cb.minRetryConcurrency(), cb.retryBudget());
    }

    /**
     * Counts a request in flight; {@code false} (not counted) above {@code max_requests}. An admitted request
     * also earns the retry budget {@code budget_percent}/100 of a retry.
     */
    public boolean tryAcquireRequest() {
        if (!tryAcquire(activeRequests, maxRequests)) {
            return false;
        }
        if (retryBudget) {
            long add = (long) budgetPercent;
            long cur;
            do { // a CAS loop, not accumulateAndGet: its lambda would capture this, an allocation per request
                cur = retryTokens.get();
            } while (cur < retryTokenCap && !retryTokens.compareAndSet(cur, Math.min(retryTokenCap, cur + add)));
        }
        return true;
    }

    public void releaseRequest() {
        activeRequests.decrementAndGet();
    }

    /**
     * Counts a retry in flight if the budget allows it. With the retry budget (the default): at most
     * {@code budget_percent} of the requests in flight may be retries, but at least {@code min_retry_concurrency}
     * (Envoy's retry budget), and — so that a lasting outage multiplies traffic by at most
     * {@code 1 + budget_percent/100} — each retry spends a token that admitted requests earn at
     * {@code budget_percent/100} each (starting with {@code min_retry_concurrency} tokens, banking at most
     * {@code max(min_retry_concurrency, budget_percent)}). Without a budget: at most {@code max_retries} in flight.
     */
    public boolean tryAcquireRetry() {
        if (!retryBudget) {
            return tryAcquire(activeRetries, maxRetries);
        }
        int limit = Math.max(minRetryConcurrency, (int) (activeRequests.get() * budgetPercent / 100.0));
        if (!tryAcquire(activeRetries, limit)) {
            return false;
        }
        while (true) {
            long t = retryTokens.get();
            if (t < 100) {
                activeRetries.decrementAndGet();
                return false;
            }
            if (retryTokens.compareAndSet(t, t - 100)) {
                return true;
            }
        }
    }

    public void releaseRetry() {
        activeRetries.decrementAndGet();
    }

    private static boolean tryAcquire(AtomicInteger counter, int limit) {
        while (true) {
            int n = counter.get();
            if (n >= limit) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Requests in flight, all workers. */
    public int activeRequests() {
        return activeRequests.get();
    }

    /** Retries in flight, all workers. */
    public int activeRetries() {
        return activeRetries.get();
    }

    /**
     * Counts a new connection.
     *
     * @param force count it even over the limit (a pool with no connection at all may always open one)
     * @return whether the connection may be opened
     */
    public boolean tryAcquireConnection(boolean force) {
        while (true) {
            int n = connections.get();
            if (n >= maxConnections && !force) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void releaseConnection() {
        connections.decrementAndGet();
    }

    /** Counts a waiting request; {@code false} when the pending queue is full. */
    public boolean tryAcquirePending() {
        return tryAcquire(pendingRequests, maxPendingRequests);
    }

    public void releasePending() {
        pendingRequests.decrementAndGet();
    }

    /** Open connections to the cluster, all workers. */
    public int connections() {
        return connections.get();
    }

    /** Requests waiting for a connection, all workers. */
    public int pendingRequests() {
        return pendingRequests.get();
    }

    /** A pooled connection became idle (kept alive, waiting for a request). */
    public void idleConnectionAdded() {
        idleConnections.increment();
    }

    /** An idle connection was leased, retired or closed. */
    public void idleConnectionRemoved() {
        idleConnections.decrement();
    }

    /** Idle pooled connections of the cluster, over all workers (Envoy's {@code upstream_cx_idle}). */
    public long idleConnections() {
        return idleConnections.sum();
    }
}
