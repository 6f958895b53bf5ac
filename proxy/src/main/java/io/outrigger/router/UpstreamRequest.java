package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.pool.Cancellable;
import io.outrigger.pool.Http1ConnectionPool;
import io.outrigger.pool.PoolCallbacks;
import io.outrigger.pool.PoolFailureReason;
import io.outrigger.pool.ResponseListener;
import io.outrigger.pool.UpstreamConnection;
import java.util.ArrayDeque;

/**
 * One attempt of a request on one upstream HTTP/1.1 connection (Envoy's {@code UpstreamRequest}).
 * Waits for a pooled connection, streams the request to it and the response back to the router, and
 * applies backpressure both ways: an unwritable upstream pauses downstream reads; an unwritable
 * downstream pauses upstream reads. Confined to the stream's event loop.
 *
 * <p>Buffers: request chunks that arrive before the connection is ready are held (downstream reads are
 * paused meanwhile, so at most one read batch is held) and released on {@link #reset()}.
 */
final class UpstreamRequest implements PoolCallbacks, ResponseListener {
    private final RouterFilter router;
    private final HttpRequest request;
    private final ArrayDeque<HttpContent> waiting = new ArrayDeque<>(2);
    private Cancellable pendingHandle;
    private UpstreamConnection connection;
    private boolean requestComplete;
    private boolean requestCompleteBeforeResponse;
    private boolean downstreamReadDisabled;
    private boolean skippingInformational;
    private boolean responseKeepAlive;
    private boolean started;
    private boolean finished;

    UpstreamRequest(RouterFilter router, HttpRequest request, boolean endStream) {
        this.router = router;
        this.request = request;
        this.requestComplete = endStream;
    }

    void start(Http1ConnectionPool pool) {
        Cancellable c = pool.newStream(this);
        if (!started && !finished) {
            pendingHandle = c;
        }
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
        c.setListener(this);
        Channel ch = c.channel();
        ch.write(request, ch.voidPromise());
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

    @Override
    public void onPoolFailure(PoolFailureReason reason, String detail) {
        started = true;
        pendingHandle = null;
        finish();
        router.onPoolFailure(reason, detail);
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
        if (msg.decoderResult().isFailure()) {
            String cause = String.valueOf(msg.decoderResult().cause());
            ReferenceCountUtil.release(msg);
            UpstreamConnection c = connection;
            finish();
            if (c != null) {
                c.release(false);
            }
            router.onUpstreamReset(ResponseFlag.UPSTREAM_REMOTE_RESET, "malformed upstream response: " + cause);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue and other 1xx: the proxy answers Expect itself; drop the interim response.
                skippingInformational = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            requestCompleteBeforeResponse = requestComplete;
            responseKeepAlive = HttpUtil.isKeepAlive(response);
            boolean end = msg instanceof LastHttpContent last && !last.content().isReadable()
                    && last.trailingHeaders().isEmpty();
            if (end) {
                ReferenceCountUtil.release(msg);
                complete();
            }
            router.onUpstreamHeaders(response, end);
            if (end || !(msg instanceof HttpContent)) {
                return;
            }
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
        UpstreamConnection c = connection;
        finish();
        if (c != null) {
            c.release(responseKeepAlive && requestCompleteBeforeResponse);
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
            router.onUpstreamReset(ResponseFlag.UPSTREAM_CONNECTION_TERMINATION, "upstream connection closed");
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
        finished = true;
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
