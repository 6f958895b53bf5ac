package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.WriteWatermarks;

/**
 * One request/response exchange of an HTTP/1.1 (or 1.0) downstream connection, as the core's
 * {@link ResponseEncoder}: frames the response for the request's version (RFC 9112 §6: Content-Length,
 * chunked, or close-delimited for HTTP/1.0), decides whether the connection stays open, and reports the
 * connection's writability as the stream's watermarks. Confined to the connection's event loop.
 */
final class Http1ServerStream implements ResponseEncoder {
    private enum State { OPEN, RESPONDING, COMPLETE, RESET }

    private final Http1ServerConnection connection;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final boolean head;
    private RequestDecoder decoder;
    private StreamCallbacks callbacks;
    private boolean requestComplete;
    private boolean requestBroken;
    private boolean closeAfterResponse;
    private boolean aboveHighWatermark; // as last reported (WriteWatermarks)
    private int readDisables;
    private final boolean upgradeRequested;
    private final boolean connect;
    private boolean tunnel;
    private State state = State.OPEN;

    /**
     * @param upgradeRequested a WebSocket upgrade or a CONNECT: a 101 (or a 2xx to CONNECT) makes the connection a tunnel
     */
    Http1ServerStream(Http1ServerConnection connection, HttpVersion version, boolean keepAlive, HttpMethod method,
                      boolean requestComplete, boolean upgradeRequested) {
        this.upgradeRequested = upgradeRequested;
        this.connect = HttpMethod.CONNECT.equals(method);
        this.connection = connection;
        this.version = version;
        this.keepAlive = keepAlive;
        this.head = HttpMethod.HEAD.equals(method);
        this.requestComplete = requestComplete;
    }

    void setDecoder(RequestDecoder decoder) {
        this.decoder = decoder;
    }

    RequestDecoder decoder() {
        return decoder;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** Whether the connection was upgraded (101 sent): raw bytes both ways. */
    boolean isTunnel() {
        return tunnel;
    }

    void onRequestData(boolean end) {
        requestComplete |= end;
    }

    /** The request body was malformed: the connection cannot be reused after the reply. */
    void markRequestBroken() {
        requestBroken = true;
        requestComplete = true;
    }

    @Override
    public void setCallbacks(StreamCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public String protocol() {
        return version.equals(HttpVersion.HTTP_1_0) ? "HTTP/1.0" : "HTTP/1.1";
    }

    @Override
    public void encodeHeaders(HttpResponse response, boolean endStream) {
        if (state != State.OPEN) {
            return;
        }
        state = State.RESPONDING;
        Channel ch = connection.channel();
        connection.advertiseAlternatives(response);
        int code = response.status().code();
        if (upgradeRequested && !endStream && (connect ? code >= 200 && code < 300 : code == 101)) {
            // RFC 9110 §15.2.2 (101) and §9.3.6 (2xx to CONNECT): from here on the connection is a tunnel, both ways
            response.setProtocolVersion(version);
            if (connect) {
                response.headers().remove(HttpHeaderNames.CONTENT_LENGTH).remove(HttpHeaderNames.TRANSFER_ENCODING);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                        .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            }
            ch.write(response, ch.voidPromise());
            tunnel = true;
            closeAfterResponse = true;
            connection.switchToTunnel();
            connection.flusher().flushLater();
            return;
        }
        boolean close = requestBroken || !requestComplete || !keepAlive || connection.isClosing();
        closeAfterResponse = ResponseFraming.apply(response, endStream, version, head, close);
        if (endStream) {
            ch.write(new DefaultFullHttpResponse(version, response.status(), Unpooled.EMPTY_BUFFER, response.headers(),
                    EmptyHttpHeaders.INSTANCE), ch.voidPromise());
            complete();
        } else {
            ch.write(response, ch.voidPromise());
            connection.flusher().flushLater();
        }
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (state != State.RESPONDING) {
            data.release();
            return;
        }
        Channel ch = connection.channel();
        if (tunnel) {
            ch.write(data, ch.voidPromise()); // raw bytes of the upgraded protocol
        } else {
            // the end without trailers: the shared empty trailers, not a header table per response
            ch.write(endStream ? new DefaultLastHttpContent(data, EmptyHttpHeaders.INSTANCE) : new DefaultHttpContent(data),
                    ch.voidPromise());
        }
        if (endStream) {
            complete();
        } else {
            connection.flusher().flushLater();
        }
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (state != State.RESPONDING) {
            return;
        }
        Channel ch = connection.channel();
        if (!tunnel) {
            DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            last.trailingHeaders().set(trailers); // written only with chunked framing (RFC 9112 §7.1.2)
            ch.write(last, ch.voidPromise());
        }
        complete();
    }

    private void complete() {
        state = State.COMPLETE;
        releaseReadDisables();
        connection.onResponseComplete(this, closeAfterResponse || !requestComplete);
    }

    @Override
    public void resetStream(StreamResetReason reason) {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        releaseReadDisables();
        connection.onStreamReset(this);
    }

    @Override
    public void readDisable(boolean disable) {
        if (disable && (state == State.OPEN || state == State.RESPONDING)) {
            readDisables++;
            connection.readDisable(true);
        } else if (!disable && readDisables > 0) {
            readDisables--;
            connection.readDisable(false);
        }
    }

    // the stream is over: whatever it held against reading no longer applies (later enables are no-ops)
    private void releaseReadDisables() {
        while (readDisables > 0) {
            readDisables--;
            connection.readDisable(false);
        }
    }

    @Override
    public boolean isWritable() {
        return connection.channel().isWritable();
    }

    void onWritabilityChanged(boolean writable) {
        if (state != State.COMPLETE && state != State.RESET) {
            aboveHighWatermark = WriteWatermarks.update(aboveHighWatermark, writable, callbacks);
        }
    }

    void onConnectionClosed() {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        releaseReadDisables();
        if (callbacks != null) {
            callbacks.onResetStream(StreamResetReason.CONNECTION_TERMINATION, "downstream connection closed");
        }
    }
}
