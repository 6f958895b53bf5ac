package io.outrigger.router;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The route timeouts of one event loop. The streams of a route share its {@code timeout}, so deadlines armed with one
 * duration expire in the order they were armed: each duration gets a FIFO list ({@link Lane}) and one scheduled task
 * for its earliest deadline, instead of a task in Netty's timer heap per request. Arming and cancelling are O(1) list
 * operations and allocate nothing (the list node is the caller's {@link Timer}); the lane's task runs at its head's
 * deadline, fires what is due and schedules itself for the next one. A cancelled head leaves the task in place: it runs
 * at the old time and finds nothing due (one task per lane per timeout period under steady load, not one per request).
 * Expiry is as precise as Netty's scheduled tasks. Lanes are kept for the process's life: one per distinct timeout
 * duration in the configuration. Confined to its event loop.
 */
final class RouteTimers {
    private static final FastThreadLocal<RouteTimers> TIMERS = new FastThreadLocal<>();

    /** A deadline in a lane: the list node, extended by what owns the timeout. */
    abstract static class Timer {
        private Lane lane;
        private Timer prev;
        private Timer next;
        private long deadlineNanos;

        /** The deadline passed; the timer is no longer armed. */
        abstract void onTimeout();

        final boolean isArmed() {
            return lane != null;
        }
    }

    private final EventExecutor loop;
    private final LongSupplier nanoTime;
    private final Map<Long, Lane> lanes = new HashMap<>();
    private Lane last; // the lane used last: most streams of a loop share one route timeout

    /**
     * @param nanoTime the clock of {@code loop}'s scheduled tasks (its ticker), in ns
     */
    RouteTimers(EventExecutor loop, LongSupplier nanoTime) {
        this.loop = loop;
        this.nanoTime = nanoTime;
    }

    /**
     * The timers of the calling event loop's thread, created on first use (and anew when the thread serves another
     * loop than before, as a test's embedded loops do; timers armed in the old one still fire on their own loop).
     */
    static RouteTimers current(EventExecutor loop) {
        RouteTimers t = TIMERS.get();
        if (t == null || t.loop != loop) {
            t = new RouteTimers(loop, loop.ticker()::nanoTime);
            TIMERS.set(t);
        }
        return t;
    }

    /**
     * Arms {@code timer} to fire {@code durationNanos} from now.
     *
     * @throws IllegalArgumentException when {@code durationNanos} is not positive
     * @throws IllegalStateException    when {@code timer} is armed already
     */
    void arm(Timer timer, long durationNanos) {
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("duration must be positive: " + durationNanos);
        }
        if (timer.lane != null) {
            throw new IllegalStateException("timer armed already");
        }
        Lane lane = last;
        if (lane == null || lane.durationNanos != durationNanos) {
            lane = lanes.computeIfAbsent(durationNanos, Lane::new);
            last = lane;
        }
        lane.add(timer);
    }

    /** Disarms {@code timer}; nothing happens when it is not armed (it fired, or was never armed). */
    void cancel(Timer timer) {
        Lane lane = timer.lane;
        if (lane != null) {
            lane.remove(timer);
        }
    }

    /** Deadlines armed with one duration, earliest first; runs as its own scheduled task. */
    final class Lane implements Runnable {
        private final long durationNanos;
        private Timer head;
        private Timer tail;
        private boolean scheduled;

        Lane(long durationNanos) {
            this.durationNanos = durationNanos;
        }

        private void add(Timer t) {
            long now = nanoTime.getAsLong();
            t.deadlineNanos = now + durationNanos;
            t.lane = this;
            t.prev = tail;
            t.next = null;
            if (tail != null) {
                tail.next = t;
            } else {
                head = t;
            }
            tail = t;
            if (!scheduled) {
                schedule(now);
            }
        }

        private void remove(Timer t) {
            if (t.prev != null) {
                t.prev.next = t.next;
            } else {
                head = t.next;
            }
            if (t.next != null) {
                t.next.prev = t.prev;
            } else {
                tail = t.prev;
            }
            t.prev = null;
            t.next = null;
            t.lane = null;
        }

        private void schedule(long now) {
            scheduled = true;
            loop.schedule(this, Math.max(0, head.deadlineNanos - now), TimeUnit.NANOSECONDS);
        }

        /** Fires every due timer in order, then waits for the next deadline (if any). */
        @Override
        public void run() {
            scheduled = false;
            long now = nanoTime.getAsLong();
            Timer t;
            while ((t = head) != null && t.deadlineNanos - now <= 0) {
                remove(t);
                t.onTimeout(); // may cancel or arm others: the loop re-reads the head
            }
            if (head != null && !scheduled) {
                schedule(now);
            }
        }

        /** Timers armed in this lane now (for tests). */
        int size() {
            int n = 0;
            for (Timer t = head; t != null; t = t.next) {
                n++;
            }
            return n;
        }
    }

    /** The lane of {@code durationNanos}, or {@code null} before one was armed with it (for tests). */
    Lane lane(long durationNanos) {
        return lanes.get(durationNanos);
    }
}
