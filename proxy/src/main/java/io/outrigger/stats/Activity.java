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
 * {@link #tick} (one thread, once a second) folds the recorders into the window and publishes an immutable
 * {@link Snapshot} with one volatile write.
 *
 * <p>Memory: the 12 histograms of the window are HdrHistogram's packed (sparse) form, holding only the value ranges
 * that occur — a few hundred bytes for a typical latency spread, where a flat one spanning 1 µs to 1 h at 2 digits is
 * 27 KiB (flat, they cost ~4 MiB of heap for the listeners and clusters of a small config). The 2 recorder histograms
 * per recording thread stay flat: they are written on every request.
 */
public final class Activity {
    /** Latencies are recorded in microseconds, 1 µs to 1 h, with 2 significant digits (1% resolution). */
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 2;
    /** The window's length in ticks (seconds). */
    static final int WINDOW_TICKS = 10;

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

    // tick state (one thread)
    private final ArrayDeque<Histogram> intervals = new ArrayDeque<>();
    private final ArrayDeque<long[]> totals = new ArrayDeque<>(); // {nanoTime, requests, errors}
    private final Histogram scratch = new PackedHistogram(1, MAX_MICROS, DIGITS);
    private final Histogram window = new PackedHistogram(1, MAX_MICROS, DIGITS);
    private volatile Snapshot snapshot = Snapshot.EMPTY;

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
     * Folds the last second into the window and publishes a new snapshot. Called by one thread only.
     *
     * @param nowNanos {@link System#nanoTime()}
     */
    void tick(long nowNanos) {
        Histogram interval = intervals.size() >= WINDOW_TICKS ? intervals.pollFirst() : new PackedHistogram(1, MAX_MICROS, DIGITS);
        interval.reset();
        for (SingleWriterRecorder r : recorders) {
            r.getIntervalHistogramInto(scratch); // copies and resets the recorder's interval
            interval.add(scratch);
        }
        intervals.addLast(interval);
        long req = requests.sum();
        long err = errors.sum();
        totals.addLast(new long[] {nowNanos, req, err});
        while (totals.size() > WINDOW_TICKS + 1) {
            totals.pollFirst();
        }
        window.reset();
        for (Histogram h : intervals) {
            window.add(h);
        }
        long[] first = totals.peekFirst();
        double seconds = (nowNanos - first[0]) / 1e9;
        double rate = seconds > 0 ? (req - first[1]) / seconds : 0;
        double errorRate = seconds > 0 ? (err - first[2]) / seconds : 0;
        boolean any = window.getTotalCount() > 0;
        snapshot = new Snapshot(req, err, rate, errorRate,
                any ? window.getValueAtPercentile(50) / 1000.0 : 0, any ? window.getValueAtPercentile(90) / 1000.0 : 0,
                any ? window.getValueAtPercentile(99) / 1000.0 : 0, any ? window.getMaxValue() / 1000.0 : 0);
    }

    /** The numbers as of the last tick. */
    public Snapshot snapshot() {
        return snapshot;
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
