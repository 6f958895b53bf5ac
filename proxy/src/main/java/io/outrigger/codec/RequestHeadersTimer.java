package io.outrigger.codec;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Envoy's {@code request_headers_timeout} for one connection: a request's headers must be complete within the timeout
 * of their first byte. HTTP/1.1 also counts the connection's first request from the accept, so a client that connects
 * and sends nothing is bounded; HTTP/2 counts from a HEADERS frame that leaves its header block open (CONTINUATION
 * expected). One scheduled task per connection at most, never rescheduled per
 * request: a request only notes when its headers started; the task, when it fires, either reports the timeout or
 * re-arms for the time left, and lapses while no request is between its first byte and its last header.
 * Confined to the connection's event loop.
 */
public final class RequestHeadersTimer implements Runnable {
    private final long timeoutNanos;
    private final LongSupplier nanoTime;
    private final Runnable onTimeout;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> task;
    private long startedNanos; // 0: no request between its first byte and its last header
    private boolean expired;

    /**
     * @param timeout   {@code ZERO}: no timer
     * @param onTimeout called once, on the event loop, when a request's headers took too long
     */
    public RequestHeadersTimer(Duration timeout, LongSupplier nanoTime, Runnable onTimeout) {
        this.timeoutNanos = timeout.toNanos();
        this.nanoTime = nanoTime;
        this.onTimeout = onTimeout;
    }

    /** The connection is ready: the first request's headers are awaited from now. */
    public void start(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        headersStarted();
    }

    /** The connection is ready; nothing is awaited until {@link #headersStarted}. */
    public void attach(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Bytes of a new request arrived (or the connection was accepted). */
    public void headersStarted() {
        if (timeoutNanos <= 0 || startedNanos != 0 || expired || ctx == null) {
            return;
        }
        startedNanos = nanoTime.getAsLong();
        if (task == null) {
            task = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The request's headers are complete. */
    public void headersComplete() {
        startedNanos = 0;
    }

    public void stop() {
        expired = true;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (startedNanos == 0 || expired) {
            return; // lapses until the next request starts
        }
        long left = timeoutNanos - (nanoTime.getAsLong() - startedNanos);
        if (left > 0) {
            task = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        expired = true;
        onTimeout.run();
    }
}
