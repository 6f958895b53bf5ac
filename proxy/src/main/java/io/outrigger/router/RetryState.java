package io.outrigger.router;

import io.outrigger.config.RetryPolicy;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Decides, per request, whether a failed attempt is tried again (Envoy's {@code RetryStateImpl}). Plain
 * Java: time and randomness are injected.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>the failure must be one the policy retries ({@code retry_on});</li>
 *   <li>safety (gRPC statuses named in {@code retry_on} excepted: the operator vouches for them): a failure where the upstream provably did not process the request (connect failure, reset
 *       before any request byte was written, HTTP/2 REFUSED_STREAM) may always be retried; any other only
 *       for an idempotent request (GET, HEAD, OPTIONS, PUT, DELETE, TRACE, or an {@code Idempotency-Key});</li>
 *   <li>at most {@code num_retries} retries ({@link Kind#NO_LIMIT}: flag URX);</li>
 *   <li>the back-off, fully jittered exponential — uniform in [0, min(max, base × 2^n)) — must end before
 *       the route deadline;</li>
 *   <li>the cluster's retry budget must have room ({@link Kind#NO_OVERFLOW}) — except when the failed attempt
 *       provably never reached an upstream: such a retry adds no load anywhere, which is what the budget
 *       guards against (a dead host under load would otherwise fail requests the next host could serve).</li>
 * </ol>
 */
final class RetryState {
    /** What went wrong with an attempt. */
    enum Failure {
        CONNECT_FAILURE, RESET_BEFORE_REQUEST, RESET, REFUSED_STREAM, PER_TRY_TIMEOUT, STATUS,
        /** A trailers-only gRPC response whose {@code grpc-status} is the status code passed along. */
        GRPC_STATUS
    }

    enum Kind { RETRY, NO, NO_LIMIT, NO_OVERFLOW }

    /**
     * @param kind     the decision
     * @param delayMs  back-off before the retry (RETRY only)
     * @param reason   why, for the debug log
     * @param budgeted whether the retry took a slot of the cluster's retry budget (to give back when it ends)
     */
    record Decision(Kind kind, long delayMs, String reason, boolean budgeted) {
        Decision(Kind kind, long delayMs, String reason) {
            this(kind, delayMs, reason, false);
        }
    }

    /** Where retries in flight are counted (the cluster's budget). */
    interface Budget {
        boolean tryAcquireRetry();
    }

    private final RetryPolicy policy;
    private final boolean idempotent;
    private final LongSupplier deadlineNanos;
    private final LongSupplier nanoTime;
    private final RandomGenerator random;
    private final Budget budget;
    private int retries;

    /**
     * @param deadlineNanos the route deadline on {@code nanoTime}'s scale, or {@code Long.MAX_VALUE} while there
     *                      is none (it is set when the downstream request completes)
     */
    RetryState(RetryPolicy policy, boolean idempotent, LongSupplier deadlineNanos, LongSupplier nanoTime,
               RandomGenerator random, Budget budget) {
        this.policy = policy;
        this.idempotent = idempotent;
        this.deadlineNanos = deadlineNanos;
        this.nanoTime = nanoTime;
        this.random = random;
        this.budget = budget;
    }

    /** Retries granted so far. */
    int retries() {
        return retries;
    }

    /**
     * @param status the response status for {@link Failure#STATUS}, else ignored
     */
    Decision decide(Failure failure, int status) {
        if (!retriable(failure, status)) {
            return new Decision(Kind.NO, 0, failure + (failure == Failure.STATUS ? " " + status : "") + " is not in retry_on");
        }
        boolean provablyUnprocessed = failure == Failure.CONNECT_FAILURE || failure == Failure.RESET_BEFORE_REQUEST
                || failure == Failure.REFUSED_STREAM;
        // gRPC calls are POSTs: a gRPC status the route names in retry_on is the operator's statement that retrying
        // it is safe for these methods (Envoy's semantics), so it is not held to the idempotency rule
        if (!provablyUnprocessed && !idempotent && failure != Failure.GRPC_STATUS) {
            return new Decision(Kind.NO, 0, failure + " after the request was sent, and the request is not idempotent");
        }
        if (retries >= policy.numRetries()) {
            return new Decision(Kind.NO_LIMIT, 0, "num_retries " + policy.numRetries() + " reached");
        }
        long delayMs = backOffMs(retries);
        long deadline = deadlineNanos.getAsLong();
        if (deadline != Long.MAX_VALUE && nanoTime.getAsLong() + delayMs * 1_000_000 >= deadline) {
            return new Decision(Kind.NO, 0, "no time left before the route timeout");
        }
        boolean budgeted = !provablyUnprocessed;
        if (budgeted && !budget.tryAcquireRetry()) {
            return new Decision(Kind.NO_OVERFLOW, 0, "retry budget exhausted");
        }
        retries++;
        return new Decision(Kind.RETRY, delayMs, failure + (failure == Failure.STATUS ? " " + status : "")
                + ", retry " + retries + " of " + policy.numRetries() + " after " + delayMs + "ms"
                + (budgeted ? "" : " (outside the budget: the request never reached an upstream)"), budgeted);
    }

    /** Fully jittered exponential back-off for retry number {@code n} (0-based), in ms. */
    long backOffMs(int n) {
        long base = policy.baseInterval().toMillis();
        long cap = policy.maxInterval().toMillis();
        long ceiling = n >= 30 ? cap : Math.min(cap, base << n);
        return ceiling <= 0 ? 0 : random.nextLong(ceiling);
    }

    private boolean retriable(Failure f, int status) {
        var on = policy.retryOn();
        return switch (f) {
            case CONNECT_FAILURE -> on.contains("connect-failure") || on.contains("5xx") || on.contains("gateway-error");
            case RESET_BEFORE_REQUEST -> on.contains("reset-before-request") || on.contains("reset") || on.contains("5xx")
                    || on.contains("gateway-error");
            case RESET -> on.contains("reset") || on.contains("5xx") || on.contains("gateway-error");
            case REFUSED_STREAM -> on.contains("refused-stream") || on.contains("5xx");
            case PER_TRY_TIMEOUT -> on.contains("5xx") || on.contains("gateway-error") || on.contains("reset");
            case GRPC_STATUS -> status == 1 && on.contains("cancelled") || status == 4 && on.contains("deadline-exceeded")
                    || status == 13 && on.contains("internal") || status == 8 && on.contains("resource-exhausted")
                    || status == 14 && on.contains("unavailable");
            case STATUS -> status >= 500 && on.contains("5xx")
                    || (status == 502 || status == 503 || status == 504) && on.contains("gateway-error")
                    || status == 409 && on.contains("retriable-4xx")
                    || on.contains("retriable-status-codes") && policy.retriableStatusCodes().contains(status);
        };
    }
}
