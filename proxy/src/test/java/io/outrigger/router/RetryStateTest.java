package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.RetryPolicy;
import io.outrigger.router.RetryState.Decision;
import io.outrigger.router.RetryState.Failure;
import io.outrigger.router.RetryState.Kind;
import io.outrigger.upstream.ClusterResources;
import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryStateTest {
    static RetryPolicy policy(Set<String> on, int num) {
        return new RetryPolicy(on, num, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of(418), true,
                65536, false);
    }

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    RetryState state(RetryPolicy p, boolean idempotent, long deadline, RetryState.Budget budget) {
        return new RetryState(p, idempotent, () -> deadline, now::get, new SplittableRandom(42), budget);
    }

    @Test
    void retriesOnlyWhatRetryOnNames() {
        RetryState s = state(policy(Set.of("gateway-error"), 5), true, Long.MAX_VALUE, () -> true);
        assertThat(s.decide(Failure.STATUS, 500).kind()).isEqualTo(Kind.NO);
        assertThat(s.decide(Failure.STATUS, 503).kind()).isEqualTo(Kind.RETRY);
        assertThat(s.decide(Failure.CONNECT_FAILURE, 0).kind()).isEqualTo(Kind.RETRY);
        RetryState codes = state(policy(Set.of("retriable-status-codes", "retriable-4xx"), 5), true, Long.MAX_VALUE, () -> true);
        assertThat(codes.decide(Failure.STATUS, 418).kind()).isEqualTo(Kind.RETRY);
        assertThat(codes.decide(Failure.STATUS, 409).kind()).isEqualTo(Kind.RETRY);
        assertThat(codes.decide(Failure.STATUS, 404).kind()).isEqualTo(Kind.NO);
        RetryState connectOnly = state(policy(Set.of("connect-failure"), 5), false, Long.MAX_VALUE, () -> true);
        assertThat(connectOnly.decide(Failure.RESET, 0).kind()).isEqualTo(Kind.NO);
    }

    @Test
    void aNonIdempotentRequestIsRetriedOnlyWhenProvablyUnprocessed() {
        RetryState post = state(policy(Set.of("5xx", "reset"), 5), false, Long.MAX_VALUE, () -> true);
        assertThat(post.decide(Failure.STATUS, 503).kind()).isEqualTo(Kind.NO);
        assertThat(post.decide(Failure.RESET, 0).kind()).isEqualTo(Kind.NO);
        assertThat(post.decide(Failure.PER_TRY_TIMEOUT, 0).kind()).isEqualTo(Kind.NO);
        assertThat(post.decide(Failure.CONNECT_FAILURE, 0).kind()).isEqualTo(Kind.RETRY);
        assertThat(post.decide(Failure.RESET_BEFORE_REQUEST, 0).kind()).isEqualTo(Kind.RETRY);
        assertThat(post.decide(Failure.REFUSED_STREAM, 0).kind()).isEqualTo(Kind.RETRY);
    }

    @Test
    void limitAndBudget() {
        RetryState s = state(policy(Set.of("5xx"), 2), true, Long.MAX_VALUE, () -> true);
        assertThat(s.decide(Failure.STATUS, 500).kind()).isEqualTo(Kind.RETRY);
        assertThat(s.decide(Failure.STATUS, 500).kind()).isEqualTo(Kind.RETRY);
        assertThat(s.decide(Failure.STATUS, 500).kind()).isEqualTo(Kind.NO_LIMIT);
        RetryState noBudget = state(policy(Set.of("5xx"), 2), true, Long.MAX_VALUE, () -> false);
        assertThat(noBudget.decide(Failure.STATUS, 500).kind()).isEqualTo(Kind.NO_OVERFLOW);
        // a request that never reached an upstream adds no load: not subject to the budget
        Decision connect = noBudget.decide(Failure.CONNECT_FAILURE, 0);
        assertThat(connect.kind()).isEqualTo(Kind.RETRY);
        assertThat(connect.budgeted()).isFalse();
        assertThat(noBudget.decide(Failure.RESET_BEFORE_REQUEST, 0).budgeted()).isFalse();
    }

    @Test
    void budgetIsTwentyPercentOfActiveRequestsWithAFloorOfThree() {
        ClusterResources r = new ClusterResources(100, 100, 1000, 3, 20, 3, true);
        for (int i = 0; i < 30; i++) {
            assertThat(r.tryAcquireRequest()).isTrue(); // earns 30 x 0.2 = 6 retries, + 3 to start, capped at 20
        }
        // in flight: 20% of 30 = 6 retries
        for (int i = 0; i < 6; i++) {
            assertThat(r.tryAcquireRetry()).as("retry %d", i).isTrue();
        }
        assertThat(r.tryAcquireRetry()).isFalse();
        for (int i = 0; i < 29; i++) {
            r.releaseRequest();
        }
        r.releaseRetry();
        r.releaseRetry();
        r.releaseRetry();
        // 1 request active: the floor of 3 applies, and 3 are still in flight
        assertThat(r.tryAcquireRetry()).isFalse();
        r.releaseRetry();
        assertThat(r.tryAcquireRetry()).isTrue();
        ClusterResources noBudget = new ClusterResources(100, 100, 1000, 1, 20, 3, false);
        assertThat(noBudget.tryAcquireRetry()).isTrue();
        assertThat(noBudget.tryAcquireRetry()).as("max_retries 1").isFalse();
    }

    @Test
    void overTimeRetriesAreAtMostTwentyPercentOfRequestsPlusThree() {
        ClusterResources r = new ClusterResources(100, 100, 1000, 3, 20, 3, true);
        int retries = 0;
        for (int i = 0; i < 1000; i++) {
            assertThat(r.tryAcquireRequest()).isTrue();
            while (r.tryAcquireRetry()) { // one request at a time, each retried as often as allowed
                retries++;
                r.releaseRetry();
            }
            r.releaseRequest();
        }
        assertThat(retries).isEqualTo(203); // 3 to start + 0.2 x 1000
    }

    @Test
    void backOffIsFullyJitteredExponentialAndCapped() {
        RetryState s = state(policy(Set.of("5xx"), 10), true, Long.MAX_VALUE, () -> true);
        for (int n = 0; n < 8; n++) {
            long ceiling = Math.min(250, 25L << n);
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long b = s.backOffMs(n);
                assertThat(b).isBetween(0L, ceiling - 1);
                max = Math.max(max, b);
            }
            assertThat(max).as("uses the whole range for n=%d", n).isGreaterThan(ceiling * 9 / 10);
        }
    }

    /** A jitter that always draws the top of its range (the back-off is then its ceiling minus one ms). */
    static final RandomGenerator ALWAYS_MAX = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void noRetryThatCannotFinishBeforeTheDeadline() {
        RetryPolicy p = policy(Set.of("5xx"), 3);
        long deadline = now.get() + 30_000_000L;
        RetryState s = new RetryState(p, true, () -> deadline, now::get, ALWAYS_MAX, () -> true);
        Decision first = s.decide(Failure.STATUS, 503); // back-off 24ms < 30ms left
        assertThat(first.kind()).isEqualTo(Kind.RETRY);
        assertThat(first.delayMs()).isEqualTo(24);
        now.addAndGet(10_000_000L);                      // 20ms left, next back-off 49ms
        Decision second = s.decide(Failure.STATUS, 503);
        assertThat(second.kind()).isEqualTo(Kind.NO);
        assertThat(second.reason()).contains("route timeout");
    }
}
