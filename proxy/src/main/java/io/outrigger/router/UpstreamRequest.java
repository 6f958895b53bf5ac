package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.opentelemetry.api.trace.Span;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.pool.Cancellable;
import io.outrigger.pool.ConnectionPool;
import io.outrigger.pool.PoolCallbacks;
import io.outrigger.pool.PoolFailureReason;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * One attempt of a request on one upstream stream (Envoy's {@code UpstreamRequest}), whatever the pool's
 * protocol: waits for a stream from the {@link ConnectionPool}, sends the request through its
 * {@link RequestEncoder}, passes the response from {@link ResponseDecoder} to the router, and applies
 * backpressure both ways through the stream's watermarks and read-disable. It records what retry safety
 * needs: whether any response came back, whether the connection was a reused one, and — through the reset
 * reason — whether the upstream provably did not process the request. Confined to the stream's event loop.
 *
 * <p>Buffers: request chunks that arrive before the stream is ready are held (downstream reads are paused
 * meanwhile) and released on {@link #reset()}.
 */
final class UpstreamRequest implements PoolCallbacks, ResponseDecoder, StreamCallbacks {
    /** A request part held until the stream is ready: data or trailers. */
    private record Held(ByteBuf data, HttpHeaders trailers, boolean endStream) {
    }

    private final RouterFilter router;
    private final HttpRequest request;
    private final Host host;
    /** Request parts that came before the stream was ready, in order; {@code null} until one does. */
    private ArrayDeque<Held> waiting;
    private final long startNanos = System.nanoTime();
    private Cancellable pendingHandle;
    private RequestEncoder encoder;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean reused;
    private boolean downstreamReadDisabled;
    private boolean upstreamReadDisabled;
    private boolean started;
    private boolean finished;
    private Span span;
    private int status;
    private boolean completed;
    private String errorType;
    private boolean hedgedBeside; // a per-try timeout started another attempt beside this one

    /**
     * @param headersOnly the request has no body and no trailers
     */
    UpstreamRequest(RouterFilter router, HttpRequest request, boolean headersOnly, Host host, Span span) {
        this.router = router;
        this.request = request;
        this.requestComplete = headersOnly;
        this.host = host;
        this.span = span;
        host.requestStarted();
    }

    /** Why this attempt is being abandoned, for its span's {@code error.type}; the first reason given wins. */
    void setErrorType(String type) {
        if (errorType == null && !completed) {
            errorType = type;
        }
    }

    Host host() {
        return host;
    }

    /** A hedge started beside this attempt (it keeps running); see {@link #hedgedBeside()}. */
    void markHedgedBeside() {
        hedgedBeside = true;
    }

    /** Whether a newer attempt was started beside this one by {@code hedge_on_per_try_timeout}. */
    boolean hedgedBeside() {
        return hedgedBeside;
    }

    /** This attempt's response answers a hedged request: its span says so. */
    void markHedgeWinner() {
        Tracing.markHedgeWinner(span);
    }

    /** When this attempt started ({@link System#nanoTime()}). */
    long startNanos() {
        return startNanos;
    }

    /**
     * @param fresh ask for a new connection rather than a used one (a retry after a stale keep-alive connection)
     */
    void start(ConnectionPool pool, boolean fresh) {
        Cancellable c = pool.newStream(this, this, fresh);
        if (!started && !finished) {
            pendingHandle = c;
        }
    }

    /** Whether any response (headers) came back. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Whether the connection had served a request before this one. */
    boolean reusedConnection() {
        return reused;
    }

    // --- request direction ---

    /** @param data ownership passes to this method */
    void sendData(ByteBuf data, boolean endStream) {
        if (finished) {
            data.release();
            return;
        }
        requestComplete |= endStream;
        if (encoder == null) {
            waiting().add(new Held(data, null, endStream));
            setDownstreamReadDisabled(true);
            return;
        }
        encoder.encodeData(data, endStream);
    }

    void sendTrailers(HttpHeaders trailers) {
        if (finished) {
            return;
        }
        requestComplete = true;
        if (encoder == null) {
            waiting().add(new Held(null, trailers, true));
            return;
        }
        encoder.encodeTrailers(trailers);
    }

    private ArrayDeque<Held> waiting() {
        if (waiting == null) {
            waiting = new ArrayDeque<>(2);
        }
        return waiting;
    }

    private void setDownstreamReadDisabled(boolean disabled) {
        if (downstreamReadDisabled != disabled) {
            downstreamReadDisabled = disabled;
            router.callbacks().readDisable(disabled);
        }
    }

    @Override
    public void onPoolReady(RequestEncoder e, boolean reusedConnection) {
        started = true;
        pendingHandle = null;
        encoder = e;
        reused = reusedConnection;
        e.setCallbacks(this);
        e.encodeHeaders(request, requestComplete && (waiting == null || waiting.isEmpty()));
        Held h;
        while (!finished && waiting != null && (h = waiting.poll()) != null) {
            if (h.data != null) {
                e.encodeData(h.data, h.endStream);
            } else {
                e.encodeTrailers(h.trailers);
            }
        }
        if (finished) {
            return; // the stream was reset while the request was written
        }
        setDownstreamReadDisabled(!e.isWritable());
        if (!router.callbacks().downstreamWritable()) {
            setUpstreamReading(false);
        }
    }

    @Override
    public void onPoolFailure(PoolFailureReason reason, String detail) {
        started = true;
        pendingHandle = null;
        setErrorType(reason.name().toLowerCase(Locale.ROOT));
        finish();
        router.onPoolFailure(this, reason, detail);
    }

    @Override
    public void onAboveWriteBufferHighWatermark() {
        setDownstreamReadDisabled(true);
    }

    @Override
    public void onBelowWriteBufferLowWatermark() {
        setDownstreamReadDisabled(false);
    }

    // --- response direction ---

    /** Stops ({@code false}) or resumes reading the response (the downstream's watermarks). */
    void setUpstreamReading(boolean on) {
        if (encoder != null && upstreamReadDisabled == on) {
            upstreamReadDisabled = !on;
            encoder.readDisable(!on);
        }
    }

    @Override
    public void decodeHeaders(HttpResponse response, boolean endStream) {
        if (finished) {
            return;
        }
        responseStarted = true;
        status = response.status().code();
        if (endStream) {
            complete();
        }
        router.onUpstreamHeaders(this, response, endStream);
    }

    @Override
    public void decodeData(ByteBuf data, boolean endStream) {
        if (finished) {
            data.release();
            return;
        }
        if (endStream) {
            complete();
        }
        router.onUpstreamData(data, endStream);
    }

    @Override
    public void decodeTrailers(HttpHeaders trailers) {
        if (finished) {
            return;
        }
        complete();
        router.onUpstreamTrailers(trailers);
    }

    // The response is complete. A request still streaming is no longer wanted (HTTP/2: RST_STREAM).
    private void complete() {
        completed = true;
        RequestEncoder e = encoder;
        finish();
        if (e != null && !requestComplete) {
            e.resetStream(StreamResetReason.LOCAL_RESET);
        }
    }

    @Override
    public void onResetStream(StreamResetReason reason, String detail) {
        if (finished) {
            return;
        }
        setErrorType(reason == StreamResetReason.PROTOCOL_ERROR ? "malformed_response" : "reset");
        encoder = null; // gone: nothing to reset
        finish();
        router.onUpstreamReset(this, reason, detail);
    }

    /** Abandons the attempt: withdraws from the pool queue or resets the stream. Idempotent. */
    void reset() {
        if (pendingHandle != null) {
            pendingHandle.cancel();
            pendingHandle = null;
        }
        RequestEncoder e = encoder;
        boolean wasFinished = finished;
        finish();
        if (e != null && !wasFinished) {
            e.resetStream(StreamResetReason.LOCAL_RESET);
        }
    }

    private void finish() {
        if (!finished) {
            host.requestFinished();
        }
        finished = true;
        if (span != null) {
            // an explicit reason wins; else an error status speaks for itself; else an unfinished response is a reset
            String error = errorType != null ? errorType : completed || status >= 400 ? null : "reset";
            Tracing.endClientSpan(span, status, error);
            span = null;
        }
        encoder = null;
        Held h;
        while (waiting != null && (h = waiting.poll()) != null) {
            if (h.data != null) {
                h.data.release();
            }
        }
        setDownstreamReadDisabled(false);
    }
}
