package io.outrigger.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lock-free bucket, driven by an injected clock (no sleeps). */
class TokenBucketTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private TokenBucket bucket(int max, int perFill, long intervalMs) {
        return new TokenBucket(max, perFill, TimeUnit.MILLISECONDS.toNanos(intervalMs), now::get);
    }

    private int drain(TokenBucket b) {
        int n = 0;
        while (b.tryAcquire().allowed()) {
            n++;
        }
        return n;
    }

    @Test
    void startsFullRefillsPerIntervalAndNeverAboveMax() {
        TokenBucket b = bucket(5, 2, 1000);
        TokenBucket.Outcome first = b.tryAcquire();
        assertThat(first.allowed()).isTrue();
        assertThat(first.remaining()).isEqualTo(4);
        assertThat(drain(b)).isEqualTo(4);
        TokenBucket.Outcome limited = b.tryAcquire();
        assertThat(limited.allowed()).isFalse();
        assertThat(limited.resetNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        assertThat(b.tryAcquire().allowed()).as("the interval has not ended").isFalse();
        assertThat(b.tryAcquire().resetNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(drain(b)).as("tokens_per_fill").isEqualTo(2);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10_000));
        assertThat(drain(b)).as("ten intervals idle: full, not 20").isEqualTo(5);
    }

    @Test
    void workersRacingForTheLastTokensNeverTakeMoreThanThereAre() throws Exception {
        TokenBucket b = bucket(10_000, 10_000, 60_000);
        AtomicInteger allowed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    if (b.tryAcquire().allowed()) {
                        allowed.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(allowed.get()).isEqualTo(10_000); // 40,000 attempts, exactly the bucket's tokens
    }
}
