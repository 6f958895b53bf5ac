package io.outrigger.codec.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.WriteWatermarks;

/**
 * One stream of an upstream HTTP/2 connection, as the router's {@link RequestEncoder}: the request goes out as
 * HEADERS/DATA frames (flow-controlled by Netty), the response comes back as {@link ResponseDecoder} calls
 * (1xx skipped, the second header block as trailers). Credit for response DATA is held back while the
 * stream is read-disabled. Confined to the connection's event loop.
 */
final class Http2ClientStream implements RequestEncoder {
    private enum State { IDLE, OPEN, COMPLETE, RESET }

    private final Http2ClientConnection connection;
    private final ResponseDecoder decoder;
    private final String scheme;
    private StreamCallbacks callbacks;
    private Http2Stream stream;
    private int streamId;
    private boolean responseHeadersReceived;
    private boolean refused;
    private int readDisables;
    private int unconsumed;
    private boolean aboveHighWatermark; // as last reported (WriteWatermarks)
    private State state = State.IDLE;

    Http2ClientStream(Http2ClientConnection connection, ResponseDecoder decoder, String scheme) {
        this.connection = connection;
        this.decoder = decoder;
        this.scheme = scheme;
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
    public void encodeHeaders(HttpRequest request, boolean endStream) {
        if (state != State.IDLE) {
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        Http2Headers headers = Http2HeaderConversion.fromRequest(request, scheme);
        streamId = connection.connection().local().incrementAndGetNextStreamId();
        state = State.OPEN;
        connection.encoder().writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        stream = connection.connection().stream(streamId);
        if (stream == null) {
            // the stream could not be created (connection closing, stream ids exhausted): nothing was sent
            fail(StreamResetReason.REMOTE_REFUSED_STREAM, "upstream HTTP/2 connection refused a new stream");
            return;
        }
        connection.attach(stream, this);
        connection.flusher().flushLater();
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (state != State.OPEN) {
            data.release();
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeData(ctx, streamId, data, 0, endStream, ctx.newPromise());
        connection.flusher().flushLater();
        onWritabilityChanged(); // the data may wait for credit without Netty reporting a change
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (state != State.OPEN) {
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeHeaders(ctx, streamId, Http2HeaderConversion.fromTrailers(trailers), 0, true,
                ctx.newPromise());
        connection.flusher().flushLater();
    }

    @Override
    public void resetStream(StreamResetReason reason) {
        State was = state;
        state = State.RESET;
        if (was == State.IDLE || was == State.RESET) {
            return;
        }
        if (stream != null && stream.state() != Http2Stream.State.CLOSED) {
            connection.reset(streamId, Http2Error.CANCEL); // also after a complete response to a still-open request
        }
    }

    @Override
    public void readDisable(boolean disable) {
        if (disable) {
            readDisables++;
        } else if (readDisables > 0 && --readDisables == 0 && unconsumed > 0) {
            int n = unconsumed;
            unconsumed = 0;
            if (stream != null && stream.state() != Http2Stream.State.CLOSED) {
                connection.consume(stream, n);
            }
        }
    }

    /** As the server stream's: nothing queued for flow-control credit, or credit to send it. */
    @Override
    public boolean isWritable() {
        if (stream == null) {
            return true;
        }
        var fc = connection.encoder().flowController();
        return fc.isWritable(stream) || !fc.hasFlowControlled(stream);
    }

    // --- from the connection ---

    void onHeaders(Http2Headers headers, boolean endStream) {
        if (state != State.OPEN) {
            return;
        }
        if (!responseHeadersReceived) {
            CharSequence status = headers.status();
            if (status != null && status.length() == 3 && status.charAt(0) == '1' && !endStream) {
                return; // interim response (100 Continue, 103 Early Hints): the final one follows
            }
            HttpResponse response;
            try {
                response = Http2HeaderConversion.toResponse(headers);
            } catch (IllegalArgumentException e) {
                state = State.RESET;
                connection.reset(streamId, Http2Error.PROTOCOL_ERROR);
                callbacks.onResetStream(StreamResetReason.PROTOCOL_ERROR, "malformed upstream response: " + e.getMessage());
                return;
            }
            responseHeadersReceived = true;
            if (endStream) {
                state = State.COMPLETE;
            }
            decoder.decodeHeaders(response, endStream);
            return;
        }
        state = State.COMPLETE;
        decoder.decodeTrailers(Http2HeaderConversion.toTrailers(headers));
    }

    /** @param data ownership passes here; @return credit to return now */
    int onData(ByteBuf data, boolean endStream) {
        int bytes = data.readableBytes();
        if (state != State.OPEN || !responseHeadersReceived) {
            data.release();
            return bytes;
        }
        if (endStream) {
            state = State.COMPLETE;
        }
        decoder.decodeData(data, endStream);
        if (readDisables > 0 && !endStream) {
            unconsumed += bytes;
            return 0;
        }
        return bytes;
    }

    void markRefused() {
        refused = true;
    }

    void onRemoteReset(long errorCode) {
        if (errorCode == Http2Error.REFUSED_STREAM.code()) {
            refused = true;
        }
        fail(refused ? StreamResetReason.REMOTE_REFUSED_STREAM : StreamResetReason.REMOTE_RESET,
                "upstream reset the stream (error " + errorCode + ")");
    }

    void onClosed() {
        fail(refused ? StreamResetReason.REMOTE_REFUSED_STREAM : StreamResetReason.CONNECTION_TERMINATION,
                refused ? "stream above the upstream's GOAWAY last-stream-id" : "upstream stream closed");
    }

    private void fail(StreamResetReason reason, String detail) {
        if (state == State.COMPLETE || state == State.RESET) {
            return;
        }
        state = State.RESET;
        if (callbacks != null) {
            callbacks.onResetStream(reason, detail);
        }
    }

    /** Netty reported a writability change, or a write may have queued data: re-evaluate the watermarks. */
    void onWritabilityChanged() {
        if (state == State.OPEN) {
            // Netty's view (window > 0) refined: see isWritable
            aboveHighWatermark = WriteWatermarks.update(aboveHighWatermark, isWritable(), callbacks);
        }
    }
}
