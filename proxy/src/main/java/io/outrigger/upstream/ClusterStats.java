package io.outrigger.upstream;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Per-cluster counters (Envoy's names), contention-free on the request path. */
public final class ClusterStats {
    public final LongAdder upstreamRqRetry = new LongAdder();
    public final LongAdder upstreamRqRetryOverflow = new LongAdder();
    public final LongAdder upstreamRqRetryLimitExceeded = new LongAdder();
    public final LongAdder retryOrShadowAbandoned = new LongAdder();
    public final LongAdder upstreamRqPendingOverflow = new LongAdder();
    public final LongAdder upstreamRqMaxRequestsOverflow = new LongAdder();
    public final LongAdder upstreamCxConnectFail = new LongAdder();
    public final LongAdder upstreamRqTotal = new LongAdder();
    /** Hedged attempts started: a per-try timeout started a retry beside a still-running attempt. */
    public final LongAdder upstreamRqHedged = new LongAdder();
    /** Hedges in which an earlier attempt answered first. */
    public final LongAdder upstreamRqHedgeEarlierWon = new LongAdder();
    /**
     * Picks that a priority level other than the one the load split drew served: the drawn level had no host, or a
     * retry had tried all of its hosts (what Envoy's {@code previous_priorities} retry plugin does).
     */
    public final LongAdder upstreamRqFailover = new LongAdder();
    /** Shadow copies sent to this cluster by routes' {@code request_mirror_policies}. */
    public final LongAdder shadowRqTotal = new LongAdder();
    /** Shadow copies dropped: a body above the limit, no host, an overflow, a timeout, or the caller gone mid-body. */
    public final LongAdder shadowRqDropped = new LongAdder();
    /** The route timeout (or a gRPC deadline) ended the request (flag UT). */
    public final LongAdder upstreamRqTimeout = new LongAdder();
    /** A per-try timeout ended an attempt. */
    public final LongAdder upstreamRqPerTryTimeout = new LongAdder();
    /** The route's max_stream_duration ended the stream (flag UMSDR). */
    public final LongAdder upstreamRqMaxDurationReached = new LongAdder();
    /** DNS discovery rounds (strict_dns, logical_dns): started, all names resolved, any name failed, no host. */
    public final LongAdder dnsUpdateAttempt = new LongAdder();
    public final LongAdder dnsUpdateSuccess = new LongAdder();
    public final LongAdder dnsUpdateFailure = new LongAdder();
    public final LongAdder dnsUpdateEmpty = new LongAdder();
    public final LongAdder ejectionsEnforced = new LongAdder();
    public final LongAdder healthCheckFailure = new LongAdder();
    public final LongAdder healthCheckSuccess = new LongAdder();
    public final LongAdder healthFlapsToUnhealthy = new LongAdder();
    public final LongAdder healthFlapsToHealthy = new LongAdder();

    private volatile io.outrigger.stats.Metrics.UpstreamMetrics upstream;

    /** Attaches the Prometheus data points of this cluster's upstream attempts. */
    public void bind(io.outrigger.stats.Metrics.UpstreamMetrics metrics) {
        this.upstream = metrics;
    }

    /** An upstream attempt answered with {@code code} after {@code durationNanos}. */
    public void onUpstreamResponse(int code, long durationNanos) {
        io.outrigger.stats.Metrics.UpstreamMetrics u = upstream;
        if (u != null) {
            u.onResponse(code, durationNanos);
        }
    }

    /** Name to value, in a stable order, for the admin API. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("upstream_rq_total", upstreamRqTotal.sum());
        m.put("upstream_rq_retry", upstreamRqRetry.sum());
        m.put("upstream_rq_hedged", upstreamRqHedged.sum());
        m.put("upstream_rq_hedge_earlier_won", upstreamRqHedgeEarlierWon.sum());
        m.put("upstream_rq_failover", upstreamRqFailover.sum());
        m.put("shadow_rq_total", shadowRqTotal.sum());
        m.put("shadow_rq_dropped", shadowRqDropped.sum());
        m.put("upstream_rq_timeout", upstreamRqTimeout.sum());
        m.put("upstream_rq_per_try_timeout", upstreamRqPerTryTimeout.sum());
        m.put("upstream_rq_max_duration_reached", upstreamRqMaxDurationReached.sum());
        m.put("upstream_rq_retry_overflow", upstreamRqRetryOverflow.sum());
        m.put("upstream_rq_retry_limit_exceeded", upstreamRqRetryLimitExceeded.sum());
        m.put("retry_or_shadow_abandoned", retryOrShadowAbandoned.sum());
        m.put("upstream_rq_pending_overflow", upstreamRqPendingOverflow.sum());
        m.put("upstream_rq_max_requests_overflow", upstreamRqMaxRequestsOverflow.sum());
        m.put("upstream_cx_connect_fail", upstreamCxConnectFail.sum());
        m.put("update_attempt", dnsUpdateAttempt.sum());
        m.put("update_success", dnsUpdateSuccess.sum());
        m.put("update_failure", dnsUpdateFailure.sum());
        m.put("update_empty", dnsUpdateEmpty.sum());
        m.put("outlier_detection.ejections_enforced_total", ejectionsEnforced.sum());
        m.put("health_check.success", healthCheckSuccess.sum());
        m.put("health_check.failure", healthCheckFailure.sum());
        m.put("health_check.to_unhealthy", healthFlapsToUnhealthy.sum());
        m.put("health_check.to_healthy", healthFlapsToHealthy.sum());
        return m;
    }
}
