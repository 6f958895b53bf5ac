package io.outrigger.filter.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * One upstream fetch of a key in flight, which concurrent misses of that key wait for instead of fetching it again
 * (request coalescing). Thread-safe: streams of every worker join it; the leader completes it on its event loop and each
 * waiter is told on its own.
 */
final class Fill {
    /** How a fill ended. */
    enum Outcome {
        /** A response was stored: waiters look again. */
        STORED,
        /** Nothing was stored (not cacheable, too large, the leader's stream failed): waiters fetch for themselves. */
        NOT_STORED
    }

    /** A stream waiting for a fill; {@link #onFillDone} may be called on any thread. */
    interface Waiter {
        void onFillDone(Outcome outcome);
    }

    private final HttpCache cache;
    private final CacheKey key;
    private final List<Waiter> waiters = new ArrayList<>(0);
    private Outcome outcome;

    Fill(HttpCache cache, CacheKey key) {
        this.cache = cache;
        this.key = key;
    }

    /** @return false when the fill already ended (the caller looks again) */
    synchronized boolean addWaiter(Waiter w) {
        if (outcome != null) {
            return false;
        }
        waiters.add(w);
        return true;
    }

    /** Ends the fill (once; later calls do nothing) and tells every waiter. */
    void complete(Outcome o) {
        List<Waiter> told;
        synchronized (this) {
            if (outcome != null) {
                return;
            }
            outcome = o;
            told = List.copyOf(waiters);
            waiters.clear();
        }
        cache.fillEnded(key, this);
        for (Waiter w : told) {
            w.onFillDone(o);
        }
    }
}
