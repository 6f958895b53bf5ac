package io.outrigger.codec;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A downstream connection's {@code idle_timeout} (Envoy's): the connection ends when it has had no stream for
 * that long. One timer per connection, never rescheduled per request: streams only count up and down and note
 * when the last one ended; when the timer fires it either ends the connection or re-arms for the time left.
 * Confined to the connection's event loop.
 */
public final class ConnectionIdleTimer implements Runnable {
    private final Channel channel;
    private final long timeoutNanos;
    private final Runnable onIdle;
    private final LongSupplier nanoTime;
    private long lastActiveNanos;
    private int activeStreams;
    private ScheduledFuture<?> timer;

    /**
     * @param timeout {@code ZERO} disables the timer
     * @param onIdle  ends the connection (HTTP/1.1: close; HTTP/2: GOAWAY, then close)
     * @param nanoTime the clock ({@code System::nanoTime} outside tests)
     */
    public ConnectionIdleTimer(Channel channel, Duration timeout, Runnable onIdle, LongSupplier nanoTime) {
        this.channel = channel;
        this.timeoutNanos = timeout.toNanos();
        this.onIdle = onIdle;
        this.nanoTime = nanoTime;
    }

    /** Arms the timer (when the connection is ready). */
    public void start() {
        if (timeoutNanos > 0 && timer == null) {
            lastActiveNanos = nanoTime.getAsLong();
            schedule(timeoutNanos);
        }
    }

    public void streamStarted() {
        activeStreams++;
    }

    public void streamEnded() {
        if (activeStreams > 0) {
            activeStreams--;
        }
        if (activeStreams == 0 && timeoutNanos > 0) {
            lastActiveNanos = nanoTime.getAsLong();
        }
    }

    /** The connection closed: no more firing. */
    public void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void schedule(long delayNanos) {
        timer = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        timer = null;
        if (!channel.isActive()) {
            return;
        }
        if (activeStreams > 0) {
            schedule(timeoutNanos);
            return;
        }
        long idle = nanoTime.getAsLong() - lastActiveNanos;
        if (idle >= timeoutNanos) {
            onIdle.run();
        } else {
            schedule(timeoutNanos - idle);
        }
    }
}
