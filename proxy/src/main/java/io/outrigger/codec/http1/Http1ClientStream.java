package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.codec.FlushScheduler;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.WriteWatermarks;

/**
 * One request/response exchange on a leased upstream HTTP/1.1 connection (the HTTP/1.1 client codec's
 * stream): frames the request (Content-Length, chunked, or headers only — RFC 9112 §6), turns the decoded
 * response into {@link ResponseDecoder} calls (1xx skipped, hop-by-hop headers removed), and hands the
 * connection back when the exchange ends — reusable only if the upstream framed its response, kept the
 * connection alive and had the whole request before answering. Confined to the connection's event loop.
 */
public final class Http1ClientStream implements RequestEncoder, ChannelFutureListener {
    /** What the stream needs of its pooled connection. */
    public interface Connection {
        Channel channel();

        FlushScheduler flusher();

        /**
         * Ends the lease.
         *
         * @param reusable           whether another request may use the connection; otherwise it is closed
         * @param keepAliveTimeoutMs the upstream's {@code Keep-Alive: timeout} in ms, 0 for none
         */
        void release(boolean reusable, long keepAliveTimeoutMs);
    }

    private enum State { OPEN, COMPLETE, RESET }

    private final Connection connection;
    private final ResponseDecoder decoder;
    private StreamCallbacks callbacks;
    private boolean requestComplete;
    private boolean requestCompleteBeforeResponse;
    private boolean requestWritten;
    private boolean skippingInformational;
    private boolean responseKeepAlive;
    private long keepAliveTimeoutMs;
    private boolean readDisabled;
    private boolean aboveHighWatermark; // as last reported (WriteWatermarks)
    private boolean upgradeRequested;
    private boolean connect;
    private boolean upgraded;
    private State state = State.OPEN;

    public Http1ClientStream(Connection connection, ResponseDecoder decoder) {
        this.connection = connection;
        this.decoder = decoder;
    }

    /** The pooled connection this exchange runs on. */
    public Connection connection() {
        return connection;
    }

    @Override
    public void setCallbacks(StreamCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }

    // --- request ---

    @Override
    public void encodeHeaders(HttpRequest request, boolean endStream) {
        if (state != State.OPEN) {
            return;
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        HttpHeaders h = request.headers();
        h.remove(HttpHeaderNames.TE); // TE: trailers is for HTTP/2 hops; HTTP/1.1 would need Connection: TE as well
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        connect = HttpMethod.CONNECT.equals(request.method());
        upgradeRequested = connect || h.contains(HttpHeaderNames.UPGRADE);
        if (upgradeRequested && !connect) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE); // what follows the headers is the new protocol's
        } else if (connect) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9110 §9.3.6: a CONNECT has no content
        } else if (!HttpUtil.isContentLengthSet(request)) {
            if (!endStream) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else if (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT
                    || request.method() == HttpMethod.PATCH) {
                h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            }
        }
        requestComplete = endStream;
        Channel ch = connection.channel();
        ch.write(request).addListener(this); // operationComplete: whether the request reached the socket
        if (endStream) {
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise()); // nothing on the wire unless chunked
        }
        connection.flusher().flushLater();
    }

    /** The request headers' write completed: on success the upstream may have received and processed them. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            requestWritten = true;
        }
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (upgradeRequested) {
            // upgraded protocol bytes, unframed (a WebSocket client sends nothing before the 101)
            if (state != State.OPEN || requestComplete) {
                data.release();
                return;
            }
            requestComplete = endStream;
            Channel ch = connection.channel();
            ch.write(data, ch.voidPromise());
            connection.flusher().flushLater();
            return;
        }
        // the end without trailers: the shared empty trailers, not a header table per request
        write(endStream ? new DefaultLastHttpContent(data, EmptyHttpHeaders.INSTANCE) : new DefaultHttpContent(data),
                endStream);
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        last.trailingHeaders().set(trailers);
        write(last, true);
    }

    private void write(HttpContent content, boolean endStream) {
        if (state != State.OPEN || requestComplete) {
            content.release();
            return;
        }
        requestComplete = endStream;
        Channel ch = connection.channel();
        ch.write(content, ch.voidPromise());
        connection.flusher().flushLater();
    }

    @Override
    public void resetStream(StreamResetReason reason) {
        if (state != State.OPEN) {
            return;
        }
        state = State.RESET;
        connection.release(false, 0); // HTTP/1.1 cannot abandon an exchange and keep the connection
    }

    @Override
    public void readDisable(boolean disable) {
        if (state == State.OPEN && readDisabled != disable) {
            readDisabled = disable;
            connection.channel().config().setAutoRead(!disable);
        }
    }

    @Override
    public boolean isWritable() {
        return connection.channel().isWritable();
    }

    // --- response, from the connection's handler ---

    /**
     * @param msg a decoded response part, or after a 101 raw bytes of the upgraded protocol; released or passed on here
     */
    public void onResponseObject(Object msg) {
        if (state != State.OPEN || upgraded && !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf raw) {
            if (upgraded) {
                decoder.decodeData(raw, false);
            } else {
                raw.release();
            }
            return;
        }
        onHttpObject((HttpObject) msg);
    }

    private void onHttpObject(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            String cause = String.valueOf(msg.decoderResult().cause());
            ReferenceCountUtil.release(msg);
            state = State.RESET;
            connection.release(false, 0);
            callbacks.onResetStream(StreamResetReason.PROTOCOL_ERROR, "malformed upstream response: " + cause);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (upgradeRequested && (connect ? code >= 200 && code < 300 : code == 101)) {
                // switched: the connection is a byte tunnel now, never returned to the pool
                upgraded = true;
                ReferenceCountUtil.release(msg);
                ChannelPipeline p = connection.channel().pipeline();
                if (p.get(Http1ClientCodec.class) != null) {
                    p.remove(Http1ClientCodec.class); // bytes it buffered after the 101 come as raw ByteBufs
                }
                decoder.decodeHeaders(response, false);
                return;
            }
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue and other 1xx: the proxy answers Expect itself; drop the interim response.
                skippingInformational = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            requestCompleteBeforeResponse = requestComplete;
            responseKeepAlive = HttpUtil.isKeepAlive(response);
            keepAliveTimeoutMs = keepAliveTimeoutMs(response.headers().get(HttpHeaderNames.KEEP_ALIVE));
            Http1Headers.removeHopByHop(response.headers());
            boolean end = msg instanceof LastHttpContent last && !last.content().isReadable()
                    && last.trailingHeaders().isEmpty();
            if (end) {
                ReferenceCountUtil.release(msg);
                complete();
            }
            decoder.decodeHeaders(response, end);
            // the client codec emits headers and body parts as separate messages: nothing more in this one
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

    private void onContent(HttpContent content) {
        ByteBuf data = content.content();
        if (!(content instanceof LastHttpContent last)) {
            if (data.isReadable()) {
                decoder.decodeData(data, false);
            } else {
                data.release();
            }
            return;
        }
        HttpHeaders trailers = last.trailingHeaders();
        complete();
        if (trailers.isEmpty()) {
            decoder.decodeData(data, true);
            return;
        }
        if (data.isReadable()) {
            decoder.decodeData(data, false);
        } else {
            data.release();
        }
        decoder.decodeTrailers(trailers);
    }

    // The response is complete: return the connection (before the last decode call, so a new request of the
    // same worker can already have it).
    private void complete() {
        state = State.COMPLETE;
        connection.release(responseKeepAlive && requestCompleteBeforeResponse, keepAliveTimeoutMs);
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

    public void onWritabilityChanged(boolean writable) {
        if (state == State.OPEN) {
            aboveHighWatermark = WriteWatermarks.update(aboveHighWatermark, writable, callbacks);
        }
    }

    /** The connection closed during the exchange. */
    public void onConnectionClosed() {
        if (state != State.OPEN) {
            return;
        }
        if (upgraded) {
            state = State.COMPLETE; // the upstream ended the upgraded protocol: the normal end of a tunnel
            decoder.decodeData(Unpooled.EMPTY_BUFFER, true);
            return;
        }
        state = State.RESET;
        callbacks.onResetStream(requestWritten ? StreamResetReason.CONNECTION_TERMINATION
                : StreamResetReason.CONNECTION_TERMINATION_BEFORE_REQUEST, "upstream connection closed");
    }
}
