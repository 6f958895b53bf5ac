package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.config.CircuitBreakersConfig;
import io.outrigger.config.ClusterConfig;
import io.outrigger.config.ConnectionPoolConfig;
import io.outrigger.config.EndpointConfig;
import io.outrigger.config.HostAndPort;
import io.outrigger.config.LoadBalancingConfig;
import io.outrigger.config.RetryPolicy;
import io.outrigger.config.RingHashConfig;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.router.RetryState.Failure;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterResources;
import io.outrigger.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retry driver's timers on an {@link EmbeddedChannel}'s event loop, its clock frozen and moved by the test: no
 * sleeps. The
 * decisions come from a real {@link RetryState}, the budget and counters from a real {@link Cluster}.
 */
class RetryDriverTest {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final List<String> events = new ArrayList<>();
    final RetryDriver.Router router = new RetryDriver.Router() {
        @Override
        public void onPerTryTimeout(UpstreamRequest a) {
            events.add("per-try timeout");
        }

        @Override
        public void afterBackOff() {
            events.add("back-off over");
        }

        @Override
        public void retriesExhausted() {
            events.add("URX");
        }
    };
    final Host host = new Host("c", new InetSocketAddress("10.0.0.1", 80), 1);

    @BeforeEach
    void freezeClock() {
        channel.freezeTime(); // the loop's clock moves only by advanceTimeBy
    }

    @AfterEach
    void finish() {
        assertThat(channel.finish()).isFalse();
    }

    /** Moves the loop's clock by {@code ms} and runs the timers that came due. */
    void advanceMs(long ms) {
        channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    static Cluster cluster() {
        ClusterConfig cfg = new ClusterConfig("c", List.of(new EndpointConfig(new HostAndPort("10.0.0.1", 80), 1)),
                ClusterConfig.LbPolicy.ROUND_ROBIN, RingHashConfig.DEFAULT, Duration.ofSeconds(1),
                ConnectionPoolConfig.DEFAULT, null, null, null, CircuitBreakersConfig.DEFAULT, null,
                ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL, LoadBalancingConfig.DEFAULT);
        return new Cluster(cfg, List.of(), ClusterResources.of(cfg), null);
    }

    /** retry_on 5xx, one retry, back-off of exactly {@code backOffMs} (the jitter draws its ceiling minus one). */
    RetryDriver driver(Cluster cluster, Duration perTry, long backOffMs, boolean retries) {
        RetryPolicy policy = new RetryPolicy(Set.of("5xx"), 1, perTry, Duration.ofMillis(backOffMs + 1),
                Duration.ofMillis(backOffMs + 1), Set.of(), true, RetryPolicy.DEFAULT_BUFFER_LIMIT, false);
        RetryState state = retries ? new RetryState(policy, true, () -> Long.MAX_VALUE, () -> 0,
                RetryStateTest.ALWAYS_MAX, cluster.resources()::tryAcquireRetry) : null;
        return new RetryDriver(router, channel.eventLoop(), "stream", policy, state, cluster);
    }

    @Test
    void perTryTimerFiresOnceAfterItsTimeoutAndNotAfterTheAttemptEnded() {
        RetryDriver d = driver(cluster(), Duration.ofMillis(100), 10, true);
        d.startPerTryTimer(null);
        d.startPerTryTimer(null); // one timer at a time
        advanceMs(99);
        assertThat(events).isEmpty();
        advanceMs(1);
        assertThat(events).containsExactly("per-try timeout");

        d.startPerTryTimer(null); // the next attempt's
        d.attemptEnded();
        advanceMs(1000);
        assertThat(events).containsExactly("per-try timeout");
    }

    @Test
    void noPerTryTimeoutMeansNoTimer() {
        RetryDriver d = driver(cluster(), Duration.ZERO, 10, true);
        d.startPerTryTimer(null);
        advanceMs(TimeUnit.HOURS.toMillis(1));
        assertThat(events).isEmpty();
    }

    @Test
    void aRetryRunsAfterItsBackOffHoldsABudgetSlotUntilTheAttemptEndsAndTheNextFailureExhaustsTheRetries() {
        Cluster c = cluster();
        RetryDriver d = driver(c, Duration.ZERO, 40, true);
        assertThat(d.canRetry()).isTrue();

        assertThat(d.scheduleRetry(Failure.STATUS, 503, true, host)).isTrue();
        assertThat(c.stats().upstreamRqRetry.sum()).isEqualTo(1);
        assertThat(c.resources().activeRetries()).isEqualTo(1); // a 503 reached an upstream: budgeted
        assertThat(d.giveUp()).isEqualTo(new RetryDriver.GiveUp(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "upstream failed and the request body is too large to retry", ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED));
        advanceMs(39);
        assertThat(events).isEmpty();
        advanceMs(1);
        assertThat(events).containsExactly("back-off over");

        d.attemptEnded(); // the retried attempt failed too
        assertThat(c.resources().activeRetries()).isZero();
        assertThat(d.scheduleRetry(Failure.STATUS, 503, true, host)).isFalse();
        assertThat(events).containsExactly("back-off over", "URX");
        assertThat(c.stats().upstreamRqRetryLimitExceeded.sum()).isEqualTo(1);
    }

    @Test
    void aConnectFailureIsRetriedOutsideTheBudget() {
        Cluster c = cluster();
        RetryDriver d = driver(c, Duration.ZERO, 0, true);
        assertThat(d.scheduleRetry(Failure.CONNECT_FAILURE, 0, true, host)).isTrue();
        assertThat(c.resources().activeRetries()).isZero();
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
        assertThat(events).containsExactly("back-off over");
    }

    @Test
    void nothingIsRetriedWhenTheRequestCannotBeReplayedOrRetriesAreOffForIt() {
        Cluster c = cluster();
        assertThat(driver(c, Duration.ZERO, 10, true).scheduleRetry(Failure.STATUS, 503, false, host)).isFalse();
        RetryDriver off = driver(c, Duration.ofMillis(100), 10, false);
        assertThat(off.canRetry()).isFalse();
        assertThat(off.scheduleRetry(Failure.STATUS, 503, true, host)).isFalse();
        off.startPerTryTimer(null); // the per-try timeout still applies to a request not retried
        advanceMs(100);
        assertThat(events).containsExactly("per-try timeout");
        assertThat(c.stats().upstreamRqRetry.sum()).isZero();
        assertThat(c.resources().activeRetries()).isZero();
    }

    @Test
    void cancelledTimersNeverFireAndTheGiveUpReplyIsTheLastGiven() {
        Cluster c = cluster();
        RetryDriver d = driver(c, Duration.ofMillis(50), 30, true);
        d.startPerTryTimer(null);
        assertThat(d.scheduleRetry(Failure.STATUS, 502, true, host)).isTrue();
        d.giveUpWith(HttpResponseStatus.BAD_GATEWAY, "upstream reset", ResponseFlag.UPSTREAM_REMOTE_RESET);
        assertThat(d.giveUp()).isEqualTo(new RetryDriver.GiveUp(HttpResponseStatus.BAD_GATEWAY, "upstream reset",
                ResponseFlag.UPSTREAM_REMOTE_RESET));
        d.cancelTimers();
        advanceMs(1000);
        assertThat(events).isEmpty();
        d.attemptEnded(); // the budget slot goes back with the attempt
        assertThat(c.resources().activeRetries()).isZero();
    }
}
