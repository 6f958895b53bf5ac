package io.outrigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-event-loop stream idle sweep, on a fake clock: expiry, activity, re-arming, and leaving early. */
class IdleSweeperTest {
    long now;
    final List<String> expired = new ArrayList<>();
    final EmbeddedChannel channel = new EmbeddedChannel();
    final IdleSweeper sweeper = new IdleSweeper(channel.eventLoop(), () -> now);

    private IdleSweeper.Entry entry(String name) {
        return new IdleSweeper.Entry() {
            @Override
            void onIdleTimeout() {
                expired.add(name);
            }
        };
    }

    @Test
    void streamsExpireAfterTheirIdleTimeAndActivityPostponesIt() {
        IdleSweeper.Entry a = entry("a");
        IdleSweeper.Entry b = entry("b");
        IdleSweeper.Entry c = entry("c");
        sweeper.arm(a, TimeUnit.SECONDS.toNanos(1));
        sweeper.arm(b, TimeUnit.SECONDS.toNanos(1));
        sweeper.arm(c, TimeUnit.SECONDS.toNanos(2));
        now += TimeUnit.MILLISECONDS.toNanos(600);
        sweeper.touch(b);                    // b moved at 0.6 s
        sweeper.run();
        assertThat(expired).isEmpty();
        now += TimeUnit.MILLISECONDS.toNanos(500); // 1.1 s
        sweeper.run();
        assertThat(expired).containsExactly("a"); // b was active 0.5 s ago, c has 2 s
        sweeper.disarm(c);                   // c's stream ended
        now += TimeUnit.MILLISECONDS.toNanos(1000); // 2.1 s
        sweeper.run();
        assertThat(expired).containsExactly("a", "b");
        sweeper.run();
        assertThat(expired).containsExactly("a", "b"); // each fires once
    }

    @Test
    void rearmingReplacesTheTimeoutAndZeroDisarms() {
        IdleSweeper.Entry a = entry("a");
        sweeper.arm(a, TimeUnit.SECONDS.toNanos(1));
        sweeper.arm(a, TimeUnit.SECONDS.toNanos(10)); // the route's idle_timeout replaces the listener's
        now += TimeUnit.SECONDS.toNanos(5);
        sweeper.run();
        assertThat(expired).isEmpty();
        sweeper.arm(a, 0);                             // idle_timeout: 0s
        now += TimeUnit.SECONDS.toNanos(60);
        sweeper.run();
        assertThat(expired).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
