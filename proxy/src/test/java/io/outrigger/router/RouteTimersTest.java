package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Route timeouts in per-duration lanes, on a fake clock: order, precision, cancelling, and timers armed or
 * cancelled from inside an expiry. The lanes' tasks are run by hand, as the event loop would at their deadline. */
class RouteTimersTest {
    static final long S = TimeUnit.SECONDS.toNanos(1);
    long now = 1_000 * S;
    final List<String> fired = new ArrayList<>();
    final EmbeddedChannel channel = new EmbeddedChannel();
    final RouteTimers timers = new RouteTimers(channel.eventLoop(), () -> now);

    class Named extends RouteTimers.Timer {
        final String name;
        Runnable then = () -> { };

        Named(String name) {
            this.name = name;
        }

        @Override
        void onTimeout() {
            fired.add(name);
            then.run();
        }
    }

    @Test
    void timersOfOneDurationFireInOrderAtTheirDeadlineAndNotBefore() {
        Named a = new Named("a");
        Named b = new Named("b");
        Named c = new Named("c");
        timers.arm(a, 10 * S);
        now += S;
        timers.arm(b, 10 * S);
        now += S;
        timers.arm(c, 10 * S);
        RouteTimers.Lane lane = timers.lane(10 * S);
        assertThat(lane.size()).isEqualTo(3);
        now += 8 * S - 1; // 1 ns before a's deadline
        lane.run();
        assertThat(fired).isEmpty();
        now += 1;
        lane.run();
        assertThat(fired).containsExactly("a");
        assertThat(a.isArmed()).isFalse();
        now += 5 * S; // past b and c
        lane.run();
        assertThat(fired).containsExactly("a", "b", "c");
        assertThat(lane.size()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCancelledTimerNeverFiresWhereverItIsInTheLane() {
        Named a = new Named("a");
        Named b = new Named("b");
        Named c = new Named("c");
        timers.arm(a, 10 * S);
        timers.arm(b, 10 * S);
        timers.arm(c, 10 * S);
        timers.cancel(a); // the head
        timers.cancel(b); // the middle
        timers.cancel(b); // twice: nothing happens
        assertThat(timers.lane(10 * S).size()).isEqualTo(1);
        now += 11 * S;
        timers.lane(10 * S).run();
        assertThat(fired).containsExactly("c");
        timers.cancel(c); // after it fired: nothing happens
        timers.arm(a, 10 * S); // a cancelled timer can be armed again
        now += 10 * S;
        timers.lane(10 * S).run();
        assertThat(fired).containsExactly("c", "a");
        channel.finishAndReleaseAll();
    }

    @Test
    void eachDurationHasItsOwnLane() {
        Named slow = new Named("slow");
        Named fast = new Named("fast");
        timers.arm(slow, 15 * S);
        timers.arm(fast, S);
        now += 2 * S;
        timers.lane(15 * S).run();
        timers.lane(S).run();
        assertThat(fired).containsExactly("fast");
        assertThat(timers.lane(15 * S).size()).isEqualTo(1);
        assertThatThrownBy(() -> timers.arm(slow, S)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> timers.arm(new Named("zero"), 0)).isInstanceOf(IllegalArgumentException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void anExpiryMayCancelTheNextTimerOrArmANewOne() {
        Named a = new Named("a");
        Named b = new Named("b");
        Named c = new Named("c");
        Named d = new Named("d");
        timers.arm(a, S);
        timers.arm(b, S);
        timers.arm(c, S);
        a.then = () -> timers.cancel(b);          // e.g. one stream's timeout resets another of the same connection
        c.then = () -> timers.arm(d, S);          // armed while the lane runs: due a second later, not now
        now += S;
        timers.lane(S).run();
        assertThat(fired).containsExactly("a", "c");
        assertThat(d.isArmed()).isTrue();
        now += S;
        timers.lane(S).run();
        assertThat(fired).containsExactly("a", "c", "d");
        channel.finishAndReleaseAll();
    }
}
