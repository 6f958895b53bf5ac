package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.pool.Cancellable;
import io.outrigger.pool.PoolCallbacks;
import io.outrigger.pool.PoolFailureReason;
import io.opentelemetry.api.trace.Span;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import io.outrigger.worker.ThreadLocalCluster;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A fire-and-forget copy of a request to a mirror cluster (Envoy's shadow request, a route's
 * {@code request_mirror_policies}). It never reaches the caller: its response is read and dropped, its failures are
 * counted, and it never slows the original — no backpressure on the caller; a body over {@link #MAX_BODY_BYTES}, a
 * full pool, no host, the route timeout, or the caller going away before the request was complete abandon it
 * ({@code shadow_rq_dropped}). Its {@code Host} gets {@code -shadow} appended, as in Envoy. Confined to the stream's
 * event loop; outlives the stream once its request is complete.
 *
 * <p>Buffers: {@link #sendData} takes ownership; chunks held until the stream is ready are released on abandon.
 */
final class ShadowRequest implements PoolCallbacks, ResponseDecoder, StreamCallbacks {
    /** Request bytes a shadow may carry (the replay buffer's default, 64 KiB): a larger body is not mirrored. */
    static final long MAX_BODY_BYTES = 64 * 1024;

    private enum State { WAITING, STREAMING, DONE }

    private record Held(ByteBuf data, HttpHeaders trailers, boolean endStream) {
    }

    private final ThreadLocalCluster cluster;
    private final Host host;
    private final HttpRequest request;
    private final ArrayDeque<Held> held = new ArrayDeque<>(2);
    private State state = State.WAITING;
    private boolean requestComplete;
    private long bodyBytes;
    private Cancellable pending;
    private RequestEncoder encoder;
    private ScheduledFuture<?> timer;
    private Span span = Span.getInvalid();
    private int status;

    private ShadowRequest(ThreadLocalCluster cluster, Host host, HttpRequest request, boolean headersOnly) {
        this.cluster = cluster;
        this.host = host;
        this.request = request;
        this.requestComplete = headersOnly;
    }

    /**
     * Starts a shadow of {@code original} on {@code cluster}, or counts it dropped.
     *
     * @param original    the request as it goes upstream (its headers are copied, not shared)
     * @param headersOnly the request has no body and no trailers
     * @param timeout     the route timeout; {@code ZERO}: none
     * @param eventLoop   the stream's event loop (the pools of {@code cluster} live on it)
     * @param tracing     the server's tracing: the copy gets a client span ({@code outrigger.shadow=true}) under
     *                    {@code parent}, the stream's server span, and carries that span's context upstream
     * @return the shadow, or {@code null} when none started
     */
    static ShadowRequest start(ThreadLocalCluster cluster, HttpRequest original, boolean headersOnly, boolean keepHost,
                               String protocol, Duration timeout, io.netty.channel.EventLoop eventLoop,
                               Tracing tracing, Span parent) {
        var shared = cluster.cluster();
        Host host = cluster.chooseHost(io.outrigger.upstream.lb.LoadBalancerContext.NO_HASH_KEY); // the mirror's policy
        if (host == null || !shared.resources().tryAcquireRequest()) {
            shared.stats().shadowRqDropped.increment();
            return null;
        }
        HttpRequest copy = new DefaultHttpRequest(original.protocolVersion(), original.method(), original.uri());
        copy.headers().set(original.headers());
        if (!keepHost) {
            String authority = copy.headers().get(HttpHeaderNames.HOST, "");
            int colon = authority.lastIndexOf(':');
            boolean port = colon > authority.lastIndexOf(']');
            copy.headers().set(HttpHeaderNames.HOST, port ? authority.substring(0, colon) + "-shadow" + authority.substring(colon)
                    : authority + "-shadow");
        }
        copy.headers().remove(RouterFilter.ATTEMPT_COUNT);
        ShadowRequest s = new ShadowRequest(cluster, host, copy, headersOnly);
        s.span = tracing.startClientSpan(parent, copy, shared.name(), host.address(), 1);
        Tracing.markShadow(s.span);
        shared.stats().shadowRqTotal.increment();
        shared.stats().upstreamRqTotal.increment();
        host.requestStarted();
        if (!timeout.isZero()) {
            s.timer = eventLoop.schedule(() -> s.abandon(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        Cancellable c = cluster.connectionPool(host, protocol).newStream(s, s, false);
        if (s.state == State.WAITING) {
            s.pending = c;
        }
        return s;
    }

    /** @param data ownership passes here */
    void sendData(ByteBuf data, boolean endStream) {
        if (state == State.DONE) {
            data.release();
            return;
        }
        bodyBytes += data.readableBytes();
        if (bodyBytes > MAX_BODY_BYTES) {
            data.release();
            abandon(true);
            return;
        }
        requestComplete |= endStream;
        if (encoder == null) {
            held.add(new Held(data, null, endStream));
        } else {
            encoder.encodeData(data, endStream);
        }
    }

    void sendTrailers(HttpHeaders trailers) {
        if (state == State.DONE) {
            return;
        }
        requestComplete = true;
        if (encoder == null) {
            held.add(new Held(null, trailers, true));
        } else {
            encoder.encodeTrailers(trailers);
        }
    }

    /** The caller went away: a shadow whose request was not complete is dropped; a complete one carries on. */
    void onCallerGone() {
        if (!requestComplete) {
            abandon(true);
        }
    }

    // --- pool ---

    @Override
    public void onPoolReady(RequestEncoder e, boolean reusedConnection) {
        pending = null;
        if (state == State.DONE) {
            e.resetStream(StreamResetReason.LOCAL_RESET);
            return;
        }
        state = State.STREAMING;
        encoder = e;
        e.setCallbacks(this);
        e.encodeHeaders(request, requestComplete && held.isEmpty());
        while (!held.isEmpty() && state == State.STREAMING) {
            Held h = held.poll();
            if (h.data() != null) {
                e.encodeData(h.data(), h.endStream());
            } else {
                e.encodeTrailers(h.trailers());
            }
        }
    }

    @Override
    public void onPoolFailure(PoolFailureReason reason, String detail) {
        pending = null;
        abandon(true);
    }

    // --- response: read and dropped ---

    @Override
    public void decodeHeaders(HttpResponse response, boolean endStream) {
        status = response.status().code();
        if (endStream) {
            finish(false);
        }
    }

    @Override
    public void decodeData(ByteBuf data, boolean endStream) {
        data.release();
        if (endStream) {
            finish(false);
        }
    }

    @Override
    public void decodeTrailers(HttpHeaders trailers) {
        finish(false);
    }

    @Override
    public void onResetStream(StreamResetReason reason, String detail) {
        encoder = null;
        abandon(true);
    }

    @Override
    public void onAboveWriteBufferHighWatermark() {
        // no backpressure on the caller: held bytes are bounded by MAX_BODY_BYTES instead
    }

    @Override
    public void onBelowWriteBufferLowWatermark() {
    }

    private void abandon(boolean dropped) {
        if (state == State.DONE) {
            return;
        }
        if (dropped) {
            cluster.cluster().stats().shadowRqDropped.increment();
        }
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (encoder != null) {
            RequestEncoder e = encoder;
            encoder = null;
            e.resetStream(StreamResetReason.LOCAL_RESET);
        }
        finish(dropped);
    }

    private void finish(boolean dropped) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (encoder != null && !requestComplete) {
            // the response ended while the request was still streaming: it is no longer wanted (as UpstreamRequest)
            RequestEncoder e = encoder;
            encoder = null;
            e.resetStream(StreamResetReason.LOCAL_RESET);
        }
        if (timer != null) {
            timer.cancel(false);
        }
        for (Held h : held) {
            if (h.data() != null) {
                h.data().release();
            }
        }
        held.clear();
        Tracing.endClientSpan(span, status, dropped ? "shadow dropped" : null);
        host.requestFinished();
        cluster.cluster().resources().releaseRequest();
    }
}
