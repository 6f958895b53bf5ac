package io.outrigger.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host's health as the load balancer sees it: failed active health checks, outlier ejection, and the
 * consecutive-failure counts outlier detection feeds on. Written by workers (counters, atomically) and by the
 * maintenance thread (flags); read on snapshot rebuilds.
 */
public final class HostHealth {
    volatile boolean failedActiveHealthCheck;
    volatile boolean ejected;
    volatile long ejectedUntilNanos;
    int ejectionCount;                // maintenance thread only
    int healthCheckSuccesses;         // maintenance thread only
    int healthCheckFailures;          // maintenance thread only
    boolean checkedOnce;              // maintenance thread only
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();

    /**
     * Takes over the health of the same address in a cluster a reload replaced: active health-check results and an
     * outlier ejection carry on, so a reload neither sends traffic to a failing host nor waits for first checks again.
     * Called on the config thread before the new cluster is published.
     */
    void inherit(HostHealth old) {
        failedActiveHealthCheck = old.failedActiveHealthCheck;
        ejected = old.ejected;
        ejectedUntilNanos = old.ejectedUntilNanos;
        ejectionCount = old.ejectionCount;
        healthCheckSuccesses = old.healthCheckSuccesses;
        healthCheckFailures = old.healthCheckFailures;
        checkedOnce = old.checkedOnce;
    }

    /** Whether the host may receive traffic (not failed by health checks and not ejected). */
    public boolean healthy() {
        return !failedActiveHealthCheck && !ejected;
    }

    public boolean failedActiveHealthCheck() {
        return failedActiveHealthCheck;
    }

    public boolean ejected() {
        return ejected;
    }

    /**
     * Envoy's {@code health_flags} as the admin API shows them: {@code /failed_active_hc},
     * {@code /failed_outlier_check}, both, or {@code healthy} when neither.
     */
    public String envoyFlags() {
        String flags = (failedActiveHealthCheck ? "/failed_active_hc" : "") + (ejected ? "/failed_outlier_check" : "");
        return flags.isEmpty() ? "healthy" : flags;
    }

    /** How often outlier detection ejected this host. */
    public int ejectionCount() {
        return ejectionCount;
    }
}
