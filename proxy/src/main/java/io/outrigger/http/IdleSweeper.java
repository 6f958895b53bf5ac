package io.outrigger.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The stream idle timeouts of one event loop, checked by one periodic task (every {@value #TICK_MS} ms while any
 * stream is registered) instead of a scheduled task per stream: registering and leaving cost a linked-list
 * insertion and removal, activity costs a clock read, so a short request pays no timer-queue operations for a
 * timeout of minutes. Expiry is precise to a tick. Confined to its event loop.
 */
final class IdleSweeper implements Runnable {
    static final long TICK_MS = 250;
    private static final FastThreadLocal<IdleSweeper> SWEEPERS = new FastThreadLocal<>();

    /**
     * One stream's idle timeout: an intrusive list node, extended by the stream's timer state itself
     * ({@link StreamTimers}) so that a stream costs no separate node and no callback object.
     */
    abstract static class Entry {
        private long timeoutNanos;
        private long lastNanos;
        private Entry prev;
        private Entry next;
        private IdleSweeper owner;

        /** The timeout passed without activity; called once, on the event loop, after the entry left the sweep. */
        abstract void onIdleTimeout();
    }

    private final EventExecutor loop;
    private final LongSupplier nanoTime;
    private Entry head;
    private boolean ticking;

    IdleSweeper(EventExecutor loop, LongSupplier nanoTime) {
        this.loop = loop;
        this.nanoTime = nanoTime;
    }

    /** The sweeper of the calling event loop's thread, created on first use. */
    static IdleSweeper current(EventExecutor loop) {
        IdleSweeper s = SWEEPERS.get();
        if (s == null) {
            s = new IdleSweeper(loop, System::nanoTime);
            SWEEPERS.set(s);
        }
        return s;
    }

    /** (Re)arms {@code e} with {@code timeoutNanos} from now; zero or less disarms it. */
    void arm(Entry e, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            disarm(e);
            return;
        }
        e.timeoutNanos = timeoutNanos;
        e.lastNanos = nanoTime.getAsLong();
        if (e.owner == null) {
            e.owner = this;
            e.next = head;
            if (head != null) {
                head.prev = e;
            }
            head = e;
            if (!ticking) {
                ticking = true;
                loop.schedule(this, TICK_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Activity on the stream: the idle time starts again. */
    void touch(Entry e) {
        if (e.owner != null) {
            e.lastNanos = nanoTime.getAsLong();
        }
    }

    void disarm(Entry e) {
        if (e.owner == null) {
            return;
        }
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            head = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.owner = null;
    }

    @Override
    public void run() {
        long now = nanoTime.getAsLong();
        Entry e = head;
        while (e != null) {
            Entry next = e.next;
            if (now - e.lastNanos >= e.timeoutNanos) {
                disarm(e);
                e.onIdleTimeout(); // may disarm others: next is re-read from the list only through 'next'
            }
            e = next;
        }
        if (head == null) {
            ticking = false;
        } else {
            loop.schedule(this, TICK_MS, TimeUnit.MILLISECONDS);
        }
    }
}
