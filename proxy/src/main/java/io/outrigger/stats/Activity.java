package io.outrigger.stats;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Live request rate, error rate and latency percentiles of one listener or cluster over a sliding window
 * (the admin dashboard's numbers). Recording is lock-free and allocation-free: counters are {@link LongAdder}s
 * and each recording thread (a worker event loop) has its own HdrHistogram {@link SingleWriterRecorder}.
 * {@link #tick} (one thread, once a second) moves the recorders' last second into the window; {@link #snapshot}
 * sums the window's seconds into percentiles when it is read, not on every tick.
 *
 * <p>Cost: the window's 10 seconds are HdrHistogram's packed (sparse) form, holding only the value ranges that
 * occur — a few hundred bytes for a typical latency spread, where a flat one spanning 1 µs to 1 h at 2 digits is
 * 27 KiB (flat, they cost ~4 MiB of heap for the listeners and clusters of a small config). A packed histogram reads
 * slowly index by index, and summing all of them was the proxy's largest idle cost (1.3 % of a core for the bench
 * config, ~13 ms per second), so: a tick copies each recorder into one flat scratch histogram shared by all activities
 * and adds it to the second's packed histogram only when it recorded something (an idle second is {@link #IDLE}); the
 * sum over the window, the expensive part, runs only when {@link #snapshot} is called and the window changed since the
 * last call (the dashboard reads once a second while open). The 2 recorder histograms per recording thread stay flat:
 * they are written on every request.
 */
public final class Activity {
    /** Latencies are recorded in microseconds, 1 µs to 1 h, with 2 significant digits (1% resolution). */
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 2;
    /** The window's length in ticks (seconds). */
    static final int WINDOW_TICKS = 10;
    /** A second without a recorded request: shared, never written. */
    private static final Histogram IDLE = new PackedHistogram(1, MAX_MICROS, DIGITS);

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final List<SingleWriterRecorder> recorders = new CopyOnWriteArrayList<>();
    private final ThreadLocal<SingleWriterRecorder> recorder = ThreadLocal.withInitial(() -> {
        // flat (not packed): recording is on every request's path, and a packed array's index lookup cost ~0.5 % of
        // the proxy's CPU under load; one flat pair per thread and activity is ~54 KiB
        SingleWriterRecorder r = new SingleWriterRecorder(1, MAX_MICROS, DIGITS);
        recorders.add(r);
        return r;
    });

    // guarded by this: the ticking thread writes, snapshot() readers sum
    private final ArrayDeque<Histogram> intervals = new ArrayDeque<>();
    private final ArrayDeque<long[]> totals = new ArrayDeque<>(); // {nanoTime, requests, errors}
    private Histogram spare; // a packed second that left the window, reused by the next busy one
    private final Histogram window = new PackedHistogram(1, MAX_MICROS, DIGITS);
    private Snapshot snapshot = Snapshot.EMPTY;
    private boolean stale;

    /**
     * A histogram to pass to {@link #tick}: flat, with the recorders' range and precision (27 KiB). One serves every
     * activity ticked by the same thread.
     */
    public static Histogram newScratch() {
        return new Histogram(1, MAX_MICROS, DIGITS);
    }

    /**
     * One finished request.
     *
     * @param error         whether it counts as an error (5xx or no response)
     * @param durationNanos how long it took, in ns
     */
    public void record(boolean error, long durationNanos) {
        requests.increment();
        if (error) {
            errors.increment();
        }
        recorder.get().recordValue(Math.max(1, Math.min(MAX_MICROS, durationNanos / 1000)));
    }

    /**
     * Moves the last second into the window, dropping the oldest. Called once a second by one thread.
     *
     * @param nowNanos {@link System#nanoTime()}
     * @param scratch  from {@link #newScratch()}; its content on return is unspecified
     */
    synchronized void tick(long nowNanos, Histogram scratch) {
        if (intervals.size() >= WINDOW_TICKS) {
            Histogram expired = intervals.pollFirst();
            if (expired != IDLE) {
                spare = expired;
                stale = true;
            }
        }
        Histogram interval = IDLE;
        for (SingleWriterRecorder r : recorders) {
            r.getIntervalHistogramInto(scratch); // copies and resets the recorder's interval: a flat copy, fast
            if (scratch.getTotalCount() == 0) {
                continue;
            }
            if (interval == IDLE) {
                interval = spare != null ? spare : new PackedHistogram(1, MAX_MICROS, DIGITS);
                spare = null;
                interval.reset();
            }
            interval.add(scratch); // reads flat, writes only the occupied ranges
            stale = true;
        }
        intervals.addLast(interval);
        totals.addLast(new long[] {nowNanos, requests.sum(), errors.sum()});
        while (totals.size() > WINDOW_TICKS + 1) {
            totals.pollFirst();
        }
        if (!stale) {
            snapshot = withTotals(snapshot);
        }
    }

    /** The numbers as of the last tick; sums the window's seconds when they changed since the last call. */
    public synchronized Snapshot snapshot() {
        if (stale) {
            window.reset();
            for (Histogram h : intervals) {
                if (h != IDLE) {
                    window.add(h);
                }
            }
            boolean any = window.getTotalCount() > 0;
            snapshot = withTotals(new Snapshot(0, 0, 0, 0,
                    any ? window.getValueAtPercentile(50) / 1000.0 : 0, any ? window.getValueAtPercentile(90) / 1000.0 : 0,
                    any ? window.getValueAtPercentile(99) / 1000.0 : 0, any ? window.getMaxValue() / 1000.0 : 0));
            stale = false;
        }
        return snapshot;
    }

    /** {@code s}'s percentiles with the counts and rates of the last tick. */
    private Snapshot withTotals(Snapshot s) {
        long[] last = totals.peekLast();
        if (last == null) {
            return s;
        }
        long[] first = totals.peekFirst();
        double seconds = (last[0] - first[0]) / 1e9;
        double rate = seconds > 0 ? (last[1] - first[1]) / seconds : 0;
        double errorRate = seconds > 0 ? (last[2] - first[2]) / seconds : 0;
        return new Snapshot(last[1], last[2], rate, errorRate, s.p50Ms(), s.p90Ms(), s.p99Ms(), s.maxMs());
    }

    /**
     * @param requests   requests since start
     * @param errors     errors since start
     * @param rate       requests per second over the window
     * @param errorRate  errors per second over the window
     * @param p50Ms      median latency over the window, ms (0 without requests)
     * @param p90Ms      90th percentile, ms
     * @param p99Ms      99th percentile, ms
     * @param maxMs      slowest, ms
     */
    public record Snapshot(long requests, long errors, double rate, double errorRate, double p50Ms, double p90Ms,
                           double p99Ms, double maxMs) {
        /** No requests yet. */
        public static final Snapshot EMPTY = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0);
    }
}
