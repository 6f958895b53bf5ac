package io.outrigger.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;

/**
 * One downstream stream's inactivity timers: the stream idle timeout (the listener's {@code stream_idle_timeout},
 * replaced by the route's {@code idle_timeout}) and the route's {@code sse_keepalive_interval} for
 * {@code text/event-stream} responses. Activity is only recorded: the idle timeout is checked by the event loop's
 * {@link IdleSweeper}, the keepalive re-arms itself ({@link InactivityTimer}). Confined to the stream's event loop.
 */
final class StreamTimers extends IdleSweeper.Entry {
    /** What the timers call: the stream. */
    interface Owner {
        /** Nothing moved on the stream for its idle timeout: end it. */
        void onStreamIdleTimeout();

        /** The event stream was silent for the keepalive interval: write an SSE comment. */
        void onSseKeepalive();
    }

    private final EventExecutor loop;
    private final Owner stream;
    private final IdleSweeper sweeper;
    private InactivityTimer sse;
    private Duration sseInterval;

    /**
     * @param listenerIdle the listener's {@code stream_idle_timeout} ({@code ZERO}: none)
     * @param stream       called when a timer fires, on {@code loop}
     */
    StreamTimers(EventExecutor loop, Duration listenerIdle, Owner stream) {
        this.loop = loop;
        this.stream = stream;
        this.sweeper = IdleSweeper.current(loop);
        sweeper.arm(this, listenerIdle.toNanos());
    }

    @Override
    void onIdleTimeout() {
        stream.onStreamIdleTimeout();
    }

    /**
     * The matched route's settings.
     *
     * @param idleTimeout  replaces the listener's idle timeout ({@code ZERO}: none); {@code null}: keep it
     * @param sseKeepalive the keepalive interval for event streams, or {@code null}
     */
    void onRoute(Duration idleTimeout, Duration sseKeepalive) {
        if (idleTimeout != null) {
            sweeper.arm(this, idleTimeout.toNanos()); // zero stops it
        }
        this.sseInterval = sseKeepalive;
    }

    /** Bytes or headers moved on the stream. */
    void onActivity() {
        sweeper.touch(this);
    }

    /** The response headers went downstream: an event stream gets its keepalive. */
    void onResponseHeaders(HttpResponse r, boolean endStream) {
        onActivity();
        if (!endStream && sseInterval != null && isEventStream(r)) {
            sse = new InactivityTimer(loop, System::nanoTime, true, stream::onSseKeepalive);
            sse.start(sseInterval);
        }
    }

    /** Response bytes went downstream (the event stream was not silent). */
    void onResponseData() {
        onActivity();
        if (sse != null) {
            sse.touch();
        }
    }

    void cancel() {
        sweeper.disarm(this);
        if (sse != null) {
            sse.cancel();
        }
    }

    private static boolean isEventStream(HttpResponse r) {
        String ct = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17);
    }
}
