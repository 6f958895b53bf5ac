package io.outrigger.router;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.config.RetryPolicy;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.router.RetryState.Decision;
import io.outrigger.router.RetryState.Failure;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.Host;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry side of one stream whose route has a retry policy: turns {@link RetryState}'s decisions (the policy's
 * arithmetic) into timers and counters — the per-try timer of the current attempt ({@code per_try_timeout}), the
 * back-off before the next one, the slot of the cluster's retry budget a retried attempt holds until it ends — and
 * keeps the local reply that stands if a scheduled retry cannot go ahead after all. Envoy's router keeps the same
 * state beside its {@code RetryStateImpl}. Made per stream only when the route has a retry policy; the router
 * ({@link RouterFilter}) keeps the attempts themselves. Confined to the stream's event loop.
 */
final class RetryDriver {
    private static final Logger log = LoggerFactory.getLogger(RetryDriver.class);

    /** What the driver's timers call on the stream's router. */
    interface Router {
        /** The per-try timeout of {@code a} passed ({@code a} may have ended meanwhile: the router checks). */
        void onPerTryTimeout(UpstreamRequest a);

        /** The back-off of a scheduled retry ended: the next attempt may start. */
        void afterBackOff();

        /** {@code num_retries} ran out: the stream's access-log entry gets URX. */
        void retriesExhausted();
    }

    /**
     * The local reply a stream ends with if its scheduled retry cannot be sent (the body outgrew the replay buffer
     * during the back-off): what the failure being retried would have answered.
     */
    record GiveUp(HttpResponseStatus status, String body, ResponseFlag flag) {
    }

    /** The give-up reply before any retry was scheduled (never read then: only a scheduled retry can give up). */
    private static final GiveUp NO_RETRY_YET = new GiveUp(HttpResponseStatus.SERVICE_UNAVAILABLE, "",
            ResponseFlag.UPSTREAM_CONNECTION_FAILURE);

    private final Router router;
    private final EventExecutor loop;
    private final Object stream;
    private final RetryPolicy policy;
    private final RetryState state; // null: this request is not retried (it was retried upstream of us already)
    private final Cluster cluster;
    private ScheduledFuture<?> perTryTimer;
    private ScheduledFuture<?> backOffTimer;
    private boolean holdsRetrySlot;
    private GiveUp giveUp = NO_RETRY_YET;

    /**
     * @param loop    the stream's event loop, which runs the timers (and whose clock they follow)
     * @param stream  what the debug log names a decision for (the stream's info)
     * @param state   the request's retry decisions; {@code null} when the request is not to be retried (the per-try
     *                timeout still applies)
     * @param cluster the route's cluster: its retry budget and its retry counters
     */
    RetryDriver(Router router, EventExecutor loop, Object stream, RetryPolicy policy, RetryState state, Cluster cluster) {
        this.router = router;
        this.loop = loop;
        this.stream = stream;
        this.policy = policy;
        this.state = state;
        this.cluster = cluster;
    }

    /** Whether a failure of this request may be retried at all. */
    boolean canRetry() {
        return state != null;
    }

    /** Starts the per-try timer of {@code a}, the current attempt, unless the policy has none or one is running. */
    void startPerTryTimer(UpstreamRequest a) {
        if (policy.perTryTimeout().isZero() || perTryTimer != null) {
            return;
        }
        perTryTimer = loop.schedule(() -> {
            perTryTimer = null;
            router.onPerTryTimeout(a);
        }, policy.perTryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The current attempt is over for the retry logic (it failed, answered, was replaced by a hedge or abandoned): its
     * per-try timer stops and the retry-budget slot it held, if any, goes back to the cluster.
     */
    void attemptEnded() {
        if (perTryTimer != null) {
            perTryTimer.cancel(false);
            perTryTimer = null;
        }
        if (holdsRetrySlot) {
            holdsRetrySlot = false;
            cluster.resources().releaseRetry();
        }
    }

    /**
     * Asks the retry state whether {@code failure} is retried and, on yes, schedules {@link Router#afterBackOff} after
     * the back-off. Counters ({@code upstream_rq_retry}, {@code _limit_exceeded}, {@code _overflow}) and the URX flag
     * are updated here.
     *
     * @param status     the HTTP status (or the gRPC status for {@link Failure#GRPC_STATUS}); 0 when none came
     * @param replayable whether the whole request can still be sent again (the replay buffer kept all of it)
     * @param lastHost   the host that failed, for the debug log
     * @return whether a retry was scheduled
     */
    boolean scheduleRetry(Failure failure, int status, boolean replayable, Host lastHost) {
        if (state == null || !replayable) {
            return false;
        }
        Decision d = state.decide(failure, status);
        log.debug("retry decision for {} on {}: {} ({})", stream, lastHost, d.kind(), d.reason());
        switch (d.kind()) {
            case RETRY -> {
                cluster.stats().upstreamRqRetry.increment();
                holdsRetrySlot = d.budgeted();
                giveUp = new GiveUp(status >= 500 ? HttpResponseStatus.valueOf(status) : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "upstream failed and the request body is too large to retry", ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
                backOffTimer = loop.schedule(() -> {
                    backOffTimer = null;
                    router.afterBackOff();
                }, d.delayMs(), TimeUnit.MILLISECONDS);
                return true;
            }
            case NO_LIMIT -> {
                cluster.stats().upstreamRqRetryLimitExceeded.increment();
                router.retriesExhausted();
            }
            case NO_OVERFLOW -> cluster.stats().upstreamRqRetryOverflow.increment();
            default -> { }
        }
        return false;
    }

    /** The reply to end with if the scheduled retry cannot go ahead: replaces the one {@link #scheduleRetry} set. */
    void giveUpWith(HttpResponseStatus status, String body, ResponseFlag flag) {
        giveUp = new GiveUp(status, body, flag);
    }

    /** The reply to end with if the scheduled retry cannot go ahead. */
    GiveUp giveUp() {
        return giveUp;
    }

    /** A hedged attempt answered during the back-off: the retry it was waiting for is not needed. */
    void cancelBackOff() {
        if (backOffTimer != null) {
            backOffTimer.cancel(false);
            backOffTimer = null;
        }
    }

    /** The stream is done: both timers stop (the budget slot goes back with {@link #attemptEnded}). */
    void cancelTimers() {
        if (perTryTimer != null) {
            perTryTimer.cancel(false);
            perTryTimer = null;
        }
        cancelBackOff();
    }
}
