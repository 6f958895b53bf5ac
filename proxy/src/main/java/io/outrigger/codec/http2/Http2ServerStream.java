package io.outrigger.codec.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.WriteWatermarks;

/**
 * One HTTP/2 stream of a downstream connection, as the core's {@link ResponseEncoder}: writes the response
 * as HEADERS/DATA frames through the connection's encoder (flow-controlled by Netty), holds back
 * flow-control credit while read-disabled, and reports the stream's writability as watermarks.
 * Confined to the connection's event loop.
 */
final class Http2ServerStream implements ResponseEncoder {
    private enum State { OPEN, RESPONDING, COMPLETE, RESET }

    private final Http2ServerConnection connection;
    private final Http2Stream stream;
    private RequestDecoder decoder;
    private StreamCallbacks callbacks;
    private boolean requestComplete;
    private int readDisables;
    private int unconsumed;
    private boolean creditPending;
    private boolean aboveHighWatermark; // as last reported (WriteWatermarks)
    private State state = State.OPEN;
    private final boolean extendedConnect;

    Http2ServerStream(Http2ServerConnection connection, Http2Stream stream, boolean requestComplete,
                      boolean extendedConnect) {
        this.extendedConnect = extendedConnect;
        this.connection = connection;
        this.stream = stream;
        this.requestComplete = requestComplete;
    }

    void start(RequestDecoder decoder, HttpRequest request, boolean endStream) {
        this.decoder = decoder;
        decoder.decodeHeaders(request, endStream);
    }

    /**
     * @param data ownership passes here
     * @return bytes to credit back to the peer now: none. Credit goes back at the end of the read batch
     *         ({@link #creditAfterRead()}), so a peer that sends past its window within one batch is caught
     *         (FLOW_CONTROL_ERROR, RFC 9113 §6.9.1), and one WINDOW_UPDATE covers the batch; a read-disabled stream
     *         gets its credit only when reading is enabled again.
     */
    int onData(ByteBuf data, boolean endStream) {
        return onData(data, endStream, true);
    }

    /** @param flowControlled whether the bytes came in DATA frames (not the body of an h2c upgrade request) */
    int onData(ByteBuf data, boolean endStream, boolean flowControlled) {
        int bytes = flowControlled ? data.readableBytes() : 0;
        unconsumed += bytes;
        if (bytes > 0 && !creditPending) {
            creditPending = true;
            connection.creditAfterRead(this);
        }
        if (state == State.COMPLETE || state == State.RESET || requestComplete) {
            data.release();
            return 0;
        }
        requestComplete = endStream;
        decoder.decodeData(data, endStream);
        return 0;
    }

    /** End of the read batch: return the credit of what was read, unless reading is disabled. */
    void creditAfterRead() {
        creditPending = false;
        if (readDisables == 0) {
            creditHeldBack();
        }
    }

    void onTrailers(HttpHeaders trailers) {
        if (state == State.COMPLETE || state == State.RESET || requestComplete) {
            return;
        }
        requestComplete = true;
        decoder.decodeTrailers(trailers);
    }

    void onRemoteReset(long errorCode) {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        if (callbacks != null) {
            callbacks.onResetStream(Http2ServerConnection.resetReasonFor(errorCode), "downstream reset the stream (" + errorCode + ")");
        }
    }

    /** The stream closed in the connection (both sides ended, a reset, or the connection went away). */
    void onClosed() {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        if (callbacks != null) {
            callbacks.onResetStream(StreamResetReason.CONNECTION_TERMINATION, "downstream stream closed");
        }
    }

    @Override
    public void setCallbacks(StreamCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public String protocol() {
        return "HTTP/2";
    }

    @Override
    public void encodeHeaders(HttpResponse response, boolean endStream) {
        if (state != State.OPEN) {
            return;
        }
        state = State.RESPONDING;
        if (extendedConnect) {
            Http2HeaderConversion.toExtendedConnectResponse(response);
        }
        connection.advertiseAlternatives(response);
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeHeaders(ctx, stream.id(), Http2HeaderConversion.fromResponse(response), 0, endStream,
                ctx.newPromise());
        afterWrite(endStream);
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (state != State.RESPONDING) {
            data.release();
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeData(ctx, stream.id(), data, 0, endStream, ctx.newPromise());
        afterWrite(endStream);
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (state != State.RESPONDING) {
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeHeaders(ctx, stream.id(), Http2HeaderConversion.fromTrailers(trailers), 0, true,
                ctx.newPromise());
        afterWrite(true);
    }

    private void afterWrite(boolean endStream) {
        connection.flusher().flushLater();
        if (!endStream) {
            // data may now wait for credit without Netty reporting a change (its window was already zero)
            onWritabilityChanged();
            return;
        }
        state = State.COMPLETE;
        creditHeldBack();
        if (!requestComplete) {
            // RFC 9113 §8.1: the response is complete; the rest of the request is not needed
            connection.reset(stream.id(), Http2Error.NO_ERROR);
        }
    }

    @Override
    public void resetStream(StreamResetReason reason) {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        connection.reset(stream.id(), reason == StreamResetReason.REMOTE_REFUSED_STREAM ? Http2Error.REFUSED_STREAM
                : Http2Error.CANCEL);
    }

    @Override
    public void readDisable(boolean disable) {
        if (disable) {
            readDisables++;
        } else if (readDisables > 0 && --readDisables == 0) {
            creditHeldBack();
        }
    }

    private void creditHeldBack() {
        if (unconsumed > 0) {
            int n = unconsumed;
            unconsumed = 0;
            if (stream.state() != Http2Stream.State.CLOSED) {
                connection.consume(stream, n);
            }
        }
    }

    /**
     * Below the high watermark: nothing of this stream waits for flow-control credit (or it has credit to send). A
     * window of zero with nothing queued is writable: the response headers can still go, as Envoy buffers up to its
     * watermark — pausing the upstream on a zero window alone would never read the response that opens it.
     */
    @Override
    public boolean isWritable() {
        var fc = connection.encoder().flowController();
        return fc.isWritable(stream) || !fc.hasFlowControlled(stream);
    }

    /** Netty reported a writability change, or a write may have queued data: re-evaluate the watermarks. */
    void onWritabilityChanged() {
        if (state != State.COMPLETE && state != State.RESET) {
            // Netty's view (window > 0) refined: see isWritable
            aboveHighWatermark = WriteWatermarks.update(aboveHighWatermark, isWritable(), callbacks);
        }
    }
}
