package io.outrigger.router;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code hedge_on_per_try_timeout}'s bookkeeping for one stream (Envoy's router keeps the same list): the earlier
 * attempts still running beside the current one, oldest first, and how many hedges the stream started. Made at the
 * stream's first hedge, so a stream that never hedges pays nothing. Confined to the stream's event loop.
 */
final class HedgedAttempts {
    private final List<UpstreamRequest> running = new ArrayList<>(2);
    private int started;

    /**
     * {@code a}'s per-try timeout passed and another attempt is to start beside it: {@code a} keeps running here.
     *
     * @return how many hedges the stream has started, this one included
     */
    int add(UpstreamRequest a) {
        a.markHedgedBeside();
        running.add(a);
        return ++started;
    }

    /** How many hedges the stream started (at least 1: the object exists from the first). */
    int started() {
        return started;
    }

    boolean isEmpty() {
        return running.isEmpty();
    }

    /** Whether {@code a} is one of the earlier attempts still running. */
    boolean contains(UpstreamRequest a) {
        return running.contains(a);
    }

    /** {@code a} failed: it no longer runs beside the current attempt. */
    void remove(UpstreamRequest a) {
        running.remove(a);
    }

    /** Takes the newest earlier attempt out, to become the current one again; the list must not be empty. */
    UpstreamRequest removeNewest() {
        return running.remove(running.size() - 1);
    }

    /** Resets every running earlier attempt but {@code keep} (a winner was found, or the stream ends); none remain. */
    void resetAllBut(UpstreamRequest keep) {
        for (int i = 0; i < running.size(); i++) {
            UpstreamRequest h = running.get(i);
            if (h != keep) {
                h.setErrorType("hedge lost");
                h.reset();
            }
        }
        running.clear();
    }

    /** The stream went away: every running earlier attempt is reset as cancelled. */
    void cancelAll() {
        for (int i = 0; i < running.size(); i++) {
            running.get(i).setErrorType("cancelled");
        }
        resetAllBut(null);
    }
}
