package io.outrigger.upstream.lb;

import io.outrigger.config.SlowStartConfig;
import io.outrigger.upstream.Host;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Slow start ({@link SlowStartConfig}) for one worker's load balancer: each host's effective weight
 * {@code weight × max(min_weight_percent/100, (t / window)^(1/aggression))}, t the time since the host last became
 * healthy (Envoy's formula). Weights are recomputed at most every {@link #REFRESH_NANOS}, and only while a host is
 * inside its window; once every window has passed {@link #active} is false for good and the balancer uses its usual
 * schedule at its usual cost.
 * Confined to one worker (a mutable cache); reads the hosts' volatile transition times.
 */
public final class SlowStartWeights {
    /** How stale effective weights may get: 10 ms (a ramp lasts seconds to minutes). */
    static final long REFRESH_NANOS = 10_000_000L;

    private final Host[] hosts;
    private final double[] cumulative;
    private final long windowNanos;
    private final double inverseAggression;
    private final double minFactor;
    private final LongSupplier ticker;
    private long refreshedAt;
    private boolean refreshed;
    private boolean active;
    private boolean over; // every host is past its window: nothing can start ramping again in this instance
    private int picks;

    /**
     * @param ticker nanoseconds, the clock of {@link Host#slowStartBeginNanos()} ({@code System::nanoTime})
     */
    SlowStartWeights(List<Host> hosts, SlowStartConfig config, LongSupplier ticker) {
        this.hosts = hosts.toArray(new Host[0]);
        this.cumulative = new double[this.hosts.length];
        this.windowNanos = config.window().toNanos();
        this.inverseAggression = 1.0 / config.aggression();
        this.minFactor = config.minWeightPercent() / 100.0;
        this.ticker = ticker;
    }

    /**
     * Whether some host is inside its slow-start window now (effective weights differ from the configured ones). The
     * clock is read on every 16th call only, and never again once every window has passed: a host starts ramping
     * only when it becomes healthy, and that builds a new host set and new balancers, so this instance is done.
     */
    boolean active() {
        if (over) {
            return false;
        }
        if (!refreshed || (++picks & 15) == 0) {
            long now = ticker.getAsLong();
            if (!refreshed || now - refreshedAt >= REFRESH_NANOS) {
                refresh(now);
                over = !active;
            }
        }
        return active;
    }

    double factor(Host h, long now) {
        return factor(h.slowStartBeginNanos(), now, windowNanos, inverseAggression, minFactor);
    }

    /**
     * A host's weight multiplier at {@code now} (for the admin API and the balancers): 1 outside its window.
     *
     * @param now nanoseconds, {@code System.nanoTime()}'s clock
     * @return a value in [{@code min_weight_percent/100}, 1]
     */
    public static double factor(Host h, SlowStartConfig config, long now) {
        return factor(h.slowStartBeginNanos(), now, config.window().toNanos(), 1.0 / config.aggression(),
                config.minWeightPercent() / 100.0);
    }

    private static double factor(long begin, long now, long windowNanos, double inverseAggression, double minFactor) {
        if (begin == Long.MIN_VALUE) {
            return 1.0;
        }
        long elapsed = now - begin;
        if (elapsed >= windowNanos) {
            return 1.0;
        }
        double t = Math.max(1_000_000L, elapsed) / (double) windowNanos; // Envoy: at least 1 ms
        double f = inverseAggression == 1.0 ? t : Math.pow(t, inverseAggression);
        return Math.max(minFactor, f);
    }

    /** Draws a host in proportion to its effective weight (call after {@link #active}); {@code null} when none. */
    Host draw(RandomGenerator random) {
        int n = hosts.length;
        if (n == 0) {
            return null;
        }
        double r = random.nextDouble() * cumulative[n - 1];
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hosts[lo];
    }

    private void refresh(long now) {
        refreshed = true;
        refreshedAt = now;
        boolean any = false;
        double sum = 0;
        for (int i = 0; i < hosts.length; i++) {
            double f = factor(hosts[i], now);
            any |= f < 1.0;
            sum += hosts[i].weight() * f;
            cumulative[i] = sum;
        }
        active = any;
    }
}
