package io.outrigger.router;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.config.RouteAction;
import io.outrigger.http.Grpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One stream's time limits on its route, apart from the attempts: the route {@code timeout} (Envoy's: from the end
 * of the request, over all attempts, met at the response headers of a streaming response — gRPC, an upgrade,
 * {@code text/event-stream}), a gRPC caller's {@code grpc-timeout} as the deadline of the whole call (capped by
 * {@code max_stream_duration.grpc_timeout_header_max}), and {@code max_stream_duration}. It only keeps the timers;
 * what expiry means is the router's ({@link Expiry}). The route timeout runs on the event loop's {@link RouteTimers}
 * (no scheduled task per request); a gRPC deadline, whose length differs per call, and {@code max_stream_duration} are
 * scheduled tasks. Confined to the stream's event loop.
 */
final class RouteDeadlines extends RouteTimers.Timer {
    /** What the router does when a limit passes. */
    interface Expiry {
        void onRouteTimeout();

        void onMaxStreamDuration();
    }

    private final EventLoop loop;
    private final LongSupplier nanoTime;
    private final Expiry expiry;
    private RouteAction action;
    private long grpcTimeoutMs = -1;
    private long deadlineNanos = Long.MAX_VALUE;
    private final RouteTimers routeTimers;
    /** The gRPC deadline's task; the route timeout is this object armed in {@link #routeTimers}. */
    private ScheduledFuture<?> grpcTimer;
    private ScheduledFuture<?> maxDurationTimer;

    RouteDeadlines(EventLoop loop, LongSupplier nanoTime, Expiry expiry) {
        this.loop = loop;
        this.routeTimers = RouteTimers.current(loop);
        this.nanoTime = nanoTime;
        this.expiry = expiry;
    }

    /** The request headers were routed: a gRPC deadline and {@code max_stream_duration} start now. */
    void onRequestHeaders(RouteAction action, HttpHeaders headers, boolean grpc) {
        this.action = action;
        if (grpc) {
            grpcTimeoutMs = Grpc.timeoutMs(headers.get(Grpc.GRPC_TIMEOUT));
            Duration cap = action.grpcTimeoutHeaderMax();
            if (grpcTimeoutMs >= 0 && cap != null && !cap.isZero()) {
                grpcTimeoutMs = Math.min(grpcTimeoutMs, cap.toMillis());
            }
            startRouteTimer(grpcTimeoutMs);
        }
        Duration max = action.maxStreamDuration();
        if (max != null) {
            maxDurationTimer = loop.schedule(this::onMaxStreamDuration, max.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The request is complete: the route timeout starts (unless a gRPC deadline replaced it). */
    void onRequestComplete() {
        if (grpcTimeoutMs < 0) {
            startRouteTimer(action.timeout().toMillis());
        }
    }

    private void startRouteTimer(long requestedMs) {
        long ms = Math.min(requestedMs, Integer.MAX_VALUE); // ~24 days: a longer deadline is no deadline in practice
        if (ms > 0 && grpcTimer == null && !isArmed()) {
            deadlineNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(ms);
            if (grpcTimeoutMs >= 0) {
                grpcTimer = loop.schedule(this::onTimeout, ms, TimeUnit.MILLISECONDS);
            } else {
                routeTimers.arm(this, TimeUnit.MILLISECONDS.toNanos(ms));
            }
        }
    }

    /**
     * The answering attempt's response headers: for a streaming response the route timeout is met (the stream then
     * runs until either side ends it, guarded by the stream idle timeout).
     *
     * @param streamingRequest the request was gRPC or a CONNECT: whatever answers it streams
     */
    void onResponseHeaders(HttpResponse response, boolean endStream, boolean streamingRequest) {
        if (!endStream && grpcTimeoutMs < 0 && isArmed() && isStreaming(response, streamingRequest)) {
            routeTimers.cancel(this);
            deadlineNanos = Long.MAX_VALUE;
        }
    }

    static boolean isStreaming(HttpResponse response, boolean streamingRequest) {
        if (streamingRequest || response.status().code() == 101) {
            return true; // gRPC or CONNECT, or an upgraded connection (WebSocket)
        }
        String ct = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17);
    }

    /** When the route deadline passes, on {@code nanoTime}'s scale; {@code Long.MAX_VALUE} while there is none. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** The route timeout as configured (for logs). */
    Duration routeTimeout() {
        return action == null ? Duration.ZERO : action.timeout();
    }

    /** The route timeout or the gRPC deadline passed. */
    @Override
    void onTimeout() {
        grpcTimer = null;
        expiry.onRouteTimeout();
    }

    private void onMaxStreamDuration() {
        maxDurationTimer = null;
        expiry.onMaxStreamDuration();
    }

    /** The stream is over (or answered): no limit fires any more. */
    void cancel() {
        routeTimers.cancel(this);
        if (grpcTimer != null) {
            grpcTimer.cancel(false);
            grpcTimer = null;
        }
        if (maxDurationTimer != null) {
            maxDurationTimer.cancel(false);
            maxDurationTimer = null;
        }
    }
}
