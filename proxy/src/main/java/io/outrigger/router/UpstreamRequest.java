package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.opentelemetry.api.trace.Span;
import io.outrigger.pool.Cancellable;
import io.outrigger.pool.Http1ConnectionPool;
import io.outrigger.pool.PoolCallbacks;
import io.outrigger.pool.PoolFailureReason;
import io.outrigger.pool.ResponseListener;
import io.outrigger.pool.UpstreamConnection;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import java.util.ArrayDeque;

/**
 * One attempt of a request on one upstream HTTP/1.1 connection (Envoy's {@code UpstreamRequest}).
 * Waits for a pooled connection, streams the request to it and the response back to the router, and
 * applies backpressure both ways. It records what retry safety needs: whether any request byte reached
 * the socket, whether any response byte came back, and whether the connection was a reused keep-alive one.
 * Confined to the stream's event loop.
 *
 * <p>Buffers: request chunks that arrive before the connection is ready are held (downstream reads are
 * paused meanwhile) and released on {@link #reset()}.
 */
final class UpstreamRequest implements PoolCallbacks, ResponseListener, ChannelFutureListener {
    private final RouterFilter router;
    private final HttpRequest request;
    private final Host host;
    private final ArrayDeque<HttpContent> waiting = new ArrayDeque<>(2);
    private final long startNanos = System.nanoTime();
    private Cancellable pendingHandle;
    private UpstreamConnection connection;
    private boolean requestComplete;
    private boolean requestCompleteBeforeResponse;
    private boolean requestWritten;
    private boolean responseStarted;
    private boolean reused;
    private boolean downstreamReadDisabled;
    private boolean skippingInformational;
    private boolean responseKeepAlive;
    private long keepAliveTimeoutMs;
    private boolean started;
    private boolean finished;
    private Span span;
    private int status;
    private boolean completed;
    private String errorType;

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

    /** When this attempt started ({@link System#nanoTime()}). */
    long startNanos() {
        return startNanos;
    }

    /**
     * @param fresh ask for a new connection rather than an idle one (a retry after a stale keep-alive connection)
     */
    void start(Http1ConnectionPool pool, boolean fresh) {
        Cancellable c = pool.newStream(this, fresh);
        if (!started && !finished) {
            pendingHandle = c;
        }
    }

    /** Whether any request byte reached the upstream socket. */
    boolean requestWritten() {
        return requestWritten;
    }

    /** Whether any response byte (headers) came back. */
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
        send(endStream ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data), endStream);
    }

    void sendTrailers(HttpHeaders trailers) {
        DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        last.trailingHeaders().set(trailers);
        send(last, true);
    }

    private void send(HttpContent content, boolean endStream) {
        if (finished) {
            content.release();
            return;
        }
        requestComplete |= endStream;
        if (connection == null) {
            waiting.add(content);
            setDownstreamReadDisabled(true);
            return;
        }
        Channel ch = connection.channel();
        ch.write(content, ch.voidPromise());
        if (endStream) {
            ch.flush();
        }
        if (!ch.isWritable()) {
            setDownstreamReadDisabled(true);
        }
    }

    void flush() {
        if (connection != null) {
            connection.channel().flush();
        }
    }

    private void setDownstreamReadDisabled(boolean disabled) {
        if (downstreamReadDisabled != disabled) {
            downstreamReadDisabled = disabled;
            router.callbacks().readDisable(disabled);
        }
    }

    @Override
    public void onPoolReady(UpstreamConnection c) {
        started = true;
        pendingHandle = null;
        connection = c;
        reused = c.reused();
        c.setListener(this);
        Channel ch = c.channel();
        ch.write(request).addListener(this); // operationComplete: whether the request reached the socket
        if (requestComplete && waiting.isEmpty()) {
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        }
        HttpContent content;
        while ((content = waiting.poll()) != null) {
            ch.write(content, ch.voidPromise());
        }
        ch.flush();
        setDownstreamReadDisabled(!ch.isWritable());
        if (!router.callbacks().downstreamWritable()) {
            setUpstreamReading(false);
        }
    }

    /** The request headers' write completed: on success the upstream may have received and processed them. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            requestWritten = true;
        }
    }

    @Override
    public void onPoolFailure(PoolFailureReason reason, String detail) {
        started = true;
        pendingHandle = null;
        setErrorType(reason.name().toLowerCase(java.util.Locale.ROOT));
        finish();
        router.onPoolFailure(this, reason, detail);
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        setDownstreamReadDisabled(!writable);
    }

    // --- response direction ---

    void setUpstreamReading(boolean on) {
        if (connection != null) {
            connection.channel().config().setAutoRead(on);
        }
    }

    @Override
    public void onResponseObject(HttpObject msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseStarted = true;
        if (msg.decoderResult().isFailure()) {
            String cause = String.valueOf(msg.decoderResult().cause());
            setErrorType("malformed_response");
            ReferenceCountUtil.release(msg);
            UpstreamConnection c = connection;
            finish();
            if (c != null) {
                c.release(false);
            }
            router.onUpstreamReset(this, "malformed upstream response: " + cause);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue and other 1xx: the proxy answers Expect itself; drop the interim response.
                skippingInformational = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            status = response.status().code();
            requestCompleteBeforeResponse = requestComplete;
            responseKeepAlive = HttpUtil.isKeepAlive(response);
            keepAliveTimeoutMs = keepAliveTimeoutMs(response.headers().get(HttpHeaderNames.KEEP_ALIVE));
            boolean end = msg instanceof LastHttpContent last && !last.content().isReadable()
                    && last.trailingHeaders().isEmpty();
            if (end) {
                ReferenceCountUtil.release(msg);
                complete();
            }
            router.onUpstreamHeaders(this, response, end);
            // HttpClientCodec emits headers and body parts as separate messages: nothing more in this one
            return;
        }
        if (msg instanceof HttpContent content) {
            if (skippingInformational) {
                skippingInformational = !(msg instanceof LastHttpContent);
                content.release();
                return;
            }
            onContent(content);
        }
    }

    /** {@code Keep-Alive: timeout=N} (RFC 2068 §19.7.1.1) in ms, or 0 when absent or malformed. */
    static long keepAliveTimeoutMs(String keepAlive) {
        if (keepAlive == null) {
            return 0;
        }
        for (String part : keepAlive.split(",")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    return Math.max(0, Long.parseLong(p.substring(8).trim()) * 1000);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private void onContent(HttpContent content) {
        ByteBuf data = content.content();
        if (!(content instanceof LastHttpContent last)) {
            if (data.isReadable()) {
                router.onUpstreamData(data, false);
            } else {
                data.release();
            }
            return;
        }
        HttpHeaders trailers = last.trailingHeaders();
        complete();
        if (trailers.isEmpty()) {
            router.onUpstreamData(data, true);
        } else {
            if (data.isReadable()) {
                router.onUpstreamData(data, false);
            } else {
                data.release();
            }
            router.onUpstreamTrailers(trailers);
        }
    }

    // The response is complete: return the connection. It is reusable only if the upstream framed its
    // response, asked for keep-alive, and had the whole request before it answered (else unread request
    // bytes could be taken for the next request).
    private void complete() {
        completed = true;
        UpstreamConnection c = connection;
        finish();
        if (c != null) {
            c.release(responseKeepAlive && requestCompleteBeforeResponse, keepAliveTimeoutMs);
        }
    }

    @Override
    public void onReadComplete() {
        router.callbacks().flushDownstream();
    }

    @Override
    public void onConnectionClosed() {
        connection = null;
        if (!finished) {
            finish();
            router.onUpstreamReset(this, "upstream connection closed");
        }
    }

    /** Abandons the attempt: withdraws from the pool queue or closes the connection. Idempotent. */
    void reset() {
        if (pendingHandle != null) {
            pendingHandle.cancel();
            pendingHandle = null;
        }
        UpstreamConnection c = connection;
        finish();
        if (c != null) {
            c.release(false);
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
        if (connection != null) {
            connection.setListener(null);
            connection = null;
        }
        HttpContent content;
        while ((content = waiting.poll()) != null) {
            content.release();
        }
        setDownstreamReadDisabled(false);
    }
}
