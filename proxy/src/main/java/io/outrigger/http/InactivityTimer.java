package io.outrigger.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fires when nothing happened on a stream for a while: the stream idle timeout ({@code stream_idle_timeout},
 * route {@code idle_timeout}) and the SSE keepalive. Activity only records the time ({@link #touch()}); the one
 * scheduled task re-arms itself for the time left when it finds recent activity, so busy streams cost no timer
 * operations. Confined to the stream's event loop.
 */
final class InactivityTimer implements Runnable {
    private final EventExecutor loop;
    private final LongSupplier nanoTime;
    private final Runnable onExpiry;
    private final boolean repeating;
    private long timeoutNanos;
    private long lastNanos;
    private ScheduledFuture<?> timer;

    /**
     * @param repeating after firing, wait another full period and fire again (keepalive) rather than stop (timeout)
     */
    InactivityTimer(EventExecutor loop, LongSupplier nanoTime, boolean repeating, Runnable onExpiry) {
        this.loop = loop;
        this.nanoTime = nanoTime;
        this.repeating = repeating;
        this.onExpiry = onExpiry;
    }

    /** (Re)starts with {@code timeout} from now; {@code null} or zero stops it. */
    void start(Duration timeout) {
        cancel();
        timeoutNanos = timeout == null ? 0 : timeout.toNanos();
        if (timeoutNanos > 0) {
            lastNanos = nanoTime.getAsLong();
            timer = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Something moved on the stream. */
    void touch() {
        if (timeoutNanos > 0) {
            lastNanos = nanoTime.getAsLong();
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timeoutNanos = 0;
    }

    @Override
    public void run() {
        timer = null;
        if (timeoutNanos == 0) {
            return;
        }
        long idle = nanoTime.getAsLong() - lastNanos;
        if (idle < timeoutNanos) {
            timer = loop.schedule(this, timeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        onExpiry.run();
        if (repeating && timeoutNanos > 0 && timer == null) {
            lastNanos = nanoTime.getAsLong();
            timer = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }
}
