package io.outrigger.stats;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's {@link DownstreamEvent} counters (lock-free adds from every worker) and the rate-limited log of
 * peer-caused errors: a misbehaving or hostile client cannot flood the log. Each error is logged at DEBUG with its
 * detail; at WARN, at most one line per {@link #WARN_INTERVAL_NANOS} per listener sums up what happened since the
 * previous one (how many, of which kinds, the latest detail).
 */
public final class DownstreamStats {
    private static final Logger log = LoggerFactory.getLogger(DownstreamStats.class);
    /** At most one WARN summary per listener per 10 s. */
    static final long WARN_INTERVAL_NANOS = 10_000_000_000L;
    private static final DownstreamEvent[] EVENTS = DownstreamEvent.values();

    private final String listener;
    private final LongSupplier nanoTime;
    private final LongAdder[] counts = new LongAdder[EVENTS.length];
    private final LongAdder unreported = new LongAdder();
    private final AtomicLong nextWarnNanos;

    /** @param nanoTime the clock ({@code System::nanoTime} outside tests) */
    public DownstreamStats(String listener, LongSupplier nanoTime) {
        this.listener = listener;
        this.nanoTime = nanoTime;
        this.nextWarnNanos = new AtomicLong(nanoTime.getAsLong());
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void count(DownstreamEvent event) {
        counts[event.ordinal()].increment();
    }

    public long get(DownstreamEvent event) {
        return counts[event.ordinal()].sum();
    }

    /**
     * Counts a peer-caused error and logs it: at DEBUG always, at WARN as a summary when the interval has passed.
     *
     * @param peer   the peer's address, for the log
     * @param detail what was wrong
     * @return whether a WARN line was written (for tests)
     */
    public boolean peerError(DownstreamEvent event, Object peer, String detail) {
        count(event);
        log.debug("listener '{}': {} from {}: {}", listener, event.statName(), peer, detail);
        unreported.increment();
        long now = nanoTime.getAsLong();
        long next = nextWarnNanos.get();
        if (now - next < 0 || !nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
            return false;
        }
        long n = unreported.sumThenReset();
        log.warn("listener '{}': {} downstream protocol error(s) since the last report (latest: {} from {}: {}); "
                + "totals in /stats under http.{}.*, details at DEBUG", listener, n, event.statName(), peer,
                truncate(detail), listener);
        return true;
    }

    /** The counters as {@code http.LISTENER.STAT} to value. */
    public void putInto(Map<String, Long> out) {
        for (DownstreamEvent e : EVENTS) {
            out.put("http." + listener + "." + e.statName(), get(e));
        }
    }

    private static String truncate(String s) {
        // a client-supplied detail: bounded, one line
        String oneLine = s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
