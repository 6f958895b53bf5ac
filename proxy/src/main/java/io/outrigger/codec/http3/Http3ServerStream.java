package io.outrigger.codec.http3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3Exception;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.outrigger.codec.FlushScheduler;
import io.outrigger.codec.MultiplexedHeaders;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.WriteWatermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/3 request stream (RFC 9114 §4.1), as the core's {@link ResponseEncoder}: the last handler of its QUIC
 * stream channel, after Netty's frame codec and validators. HEADERS, DATA and the stream's FIN become protocol-neutral
 * calls on the connection manager's stream; the response goes out as HEADERS/DATA frames and a FIN.
 *
 * <p>The request's headers are held until the codec knows whether a body follows (a DATA frame, or the FIN, usually
 * in the same packet; for a GET or HEAD without Content-Length up to {@link #FIN_WAIT_MS} more), so a bodiless
 * request reaches an HTTP/1.1 upstream without chunked framing. A malformed request
 * (RFC 9114 §4.1.2) resets the stream with {@code H3_MESSAGE_ERROR} and is never forwarded. Backpressure: a
 * read-disabled stream stops reading, so QUIC stops extending the peer's stream credit; the response side is above
 * its high watermark while a frame waits for QUIC's stream or connection credit ({@link QuicSendBacklog}). Confined to
 * the connection's event loop.
 */
final class Http3ServerStream extends Http3RequestStreamInboundHandler implements ResponseEncoder {
    private static final Logger log = LoggerFactory.getLogger(Http3ServerStream.class);

    /** Where the request is. */
    private enum RequestState { AWAITING_HEADERS, HEADERS_HELD, BODY, COMPLETE }

    /** Where the response is. */
    private enum ResponseState { NONE, RESPONDING, COMPLETE, RESET }

    /**
     * How long the headers of a GET or HEAD wait for the stream's FIN when it did not come with them, ms: it decides
     * whether the request reaches an HTTP/1.1 upstream as bodiless or chunked.
     */
    static final long FIN_WAIT_MS = 5;
    /** How long a stream whose FIN came first may wait for its HEADERS (held by the codec until the handshake ends), ms. */
    static final long HEADERS_AFTER_FIN_MS = 10_000;
    private final Http3ServerConnection connection;
    private final QuicStreamChannel channel;
    private final FlushScheduler flusher;
    private boolean aboveHighWatermark; // as last reported (WriteWatermarks)
    private final QuicSendBacklog backlog;
    private RequestState request = RequestState.AWAITING_HEADERS;
    private ResponseState response = ResponseState.NONE;
    private HttpRequest held;
    private boolean extendedConnect;
    private RequestDecoder decoder;
    private StreamCallbacks callbacks;
    private int readDisables;
    /** The FIN came before Netty's codec released the HEADERS (see {@link #channelInputClosed}). */
    private boolean finBeforeHeaders;

    Http3ServerStream(Http3ServerConnection connection, QuicStreamChannel channel) {
        this.connection = connection;
        this.channel = channel;
        this.flusher = new FlushScheduler(channel);
        this.backlog = new QuicSendBacklog(channel, this::updateWatermarks);
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        Http3Headers h = frame.headers();
        switch (request) {
            case AWAITING_HEADERS -> onRequestHeaders(h);
            case HEADERS_HELD, BODY -> {
                // a second block: trailers, which carry no pseudo-header (RFC 9114 §4.3); the FIN must follow
                if (MultiplexedHeaders.hasPseudoHeader(h)) {
                    malformed("pseudo-header in trailers");
                    return;
                }
                deliverHeld(false);
                if (request == RequestState.BODY) {
                    request = RequestState.COMPLETE;
                    decoder.decodeTrailers(MultiplexedHeaders.toTrailers(h));
                }
            }
            case COMPLETE -> { } // after a reset or a local answer: dropped
        }
    }

    private void onRequestHeaders(Http3Headers h) {
        String problem = MultiplexedHeaders.validateRequest(h);
        HttpRequest req = null;
        if (problem == null) {
            try {
                req = MultiplexedHeaders.toRequest(h);
            } catch (IllegalArgumentException e) {
                problem = "invalid :method";
            }
        }
        if (problem != null) {
            malformed(problem);
            return;
        }
        extendedConnect = MultiplexedHeaders.toWebSocketUpgrade(h, req);
        held = req;
        request = RequestState.HEADERS_HELD;
        if (finBeforeHeaders) {
            deliverHeld(true);
        }
    }

    /** Starts the core's stream with the held headers, if they are still held. */
    private void deliverHeld(boolean endStream) {
        if (request != RequestState.HEADERS_HELD) {
            return;
        }
        HttpRequest req = held;
        held = null;
        boolean end = endStream && !extendedConnect;
        request = end ? RequestState.COMPLETE : RequestState.BODY;
        decoder = connection.newStream(this);
        decoder.decodeHeaders(req, end);
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        deliverHeld(false);
        if (request != RequestState.BODY) {
            frame.release();
            return;
        }
        decoder.decodeData(frame.content(), false); // ownership passes to the decoder
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (request == RequestState.HEADERS_HELD) {
            if (bodilessByConvention(held)) {
                // clients that send the FIN after their HEADERS write completes (Netty's) put it in the next packet
                ctx.executor().schedule(() -> deliverHeld(false), FIN_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } else {
                // the FIN, if it came in this read, is reported right after this event; decide once it had its chance
                ctx.executor().execute(() -> deliverHeld(false));
            }
        }
        ctx.fireChannelReadComplete();
    }

    /** A GET or HEAD without Content-Length: a body is not expected, so its FIN is worth a few ms' wait. */
    private static boolean bodilessByConvention(HttpRequest r) {
        return (r.method().equals(io.netty.handler.codec.http.HttpMethod.GET)
                || r.method().equals(io.netty.handler.codec.http.HttpMethod.HEAD))
                && !r.headers().contains(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH);
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
        if (request == RequestState.HEADERS_HELD) {
            deliverHeld(true);
        } else if (request == RequestState.BODY) {
            request = RequestState.COMPLETE;
            decoder.decodeData(Unpooled.EMPTY_BUFFER, true);
        } else if (request == RequestState.AWAITING_HEADERS) {
            // Netty's frame codec may still hold the HEADERS: it waits for the QPACK streams, which open once the
            // handshake completes (0-RTT requests wait there). A stream that ends without them is malformed.
            finBeforeHeaders = true;
            ctx.executor().schedule(() -> {
                if (request == RequestState.AWAITING_HEADERS && channel.isActive()) {
                    malformed("stream ended without a request");
                }
            }, HEADERS_AFTER_FIN_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateWatermarks();
        ctx.fireChannelWritabilityChanged();
    }

    private void updateWatermarks() {
        if (response != ResponseState.COMPLETE && response != ResponseState.RESET) {
            aboveHighWatermark = WriteWatermarks.update(aboveHighWatermark, backlog.writable(), callbacks);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        held = null;
        if (request == RequestState.HEADERS_HELD) {
            request = RequestState.COMPLETE; // never started: nothing to tell the core
        }
        if (decoder != null) {
            connection.streamEnded();
        }
        if (response != ResponseState.COMPLETE && response != ResponseState.RESET) {
            response = ResponseState.RESET;
            if (callbacks != null) {
                callbacks.onResetStream(StreamResetReason.CONNECTION_TERMINATION, "downstream stream closed");
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void handleQuicException(ChannelHandlerContext ctx, QuicException e) {
        if (e instanceof QuicStreamResetException reset) {
            connection.onRemoteReset();
            remoteReset(reset.applicationProtocolCode());
        } else {
            log.debug("HTTP/3 stream {} failed: {}", channel.streamId(), e.toString());
            resetStream(StreamResetReason.CONNECTION_TERMINATION);
        }
    }

    @Override
    protected void handleHttp3Exception(ChannelHandlerContext ctx, Http3Exception e) {
        // Netty's frame validation (frame order, content-length, QPACK): a malformed message (RFC 9114 §4.1.2)
        malformed(e.getMessage());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ChannelOutputShutdownException) {
            remoteReset(Http3ErrorCode.H3_REQUEST_CANCELLED.code()); // STOP_SENDING: the peer wants no response
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    private void remoteReset(long code) {
        request = RequestState.COMPLETE;
        if (response == ResponseState.COMPLETE || response == ResponseState.RESET) {
            return;
        }
        response = ResponseState.RESET;
        if (callbacks != null) {
            callbacks.onResetStream(code == Http3ErrorCode.H3_REQUEST_REJECTED.code()
                    ? StreamResetReason.REMOTE_REFUSED_STREAM : StreamResetReason.REMOTE_RESET,
                    "downstream reset the stream (0x" + Long.toHexString(code) + ")");
        }
        channel.close();
    }

    private void malformed(String problem) {
        log.debug("malformed HTTP/3 request on stream {}: {}", channel.streamId(), problem);
        connection.onProtocolError(ProtocolError.HTTP2_STREAM_ERROR, "HTTP/3 stream " + channel.streamId() + ": " + problem);
        if (request == RequestState.BODY && decoder != null && response == ResponseState.NONE) {
            request = RequestState.COMPLETE;
            decoder.sendLocalReply(io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST, problem);
            return;
        }
        request = RequestState.COMPLETE;
        held = null;
        reset(Http3ErrorCode.H3_MESSAGE_ERROR);
    }

    @Override
    public void setCallbacks(StreamCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public String protocol() {
        return "HTTP/3";
    }

    @Override
    public void encodeHeaders(HttpResponse r, boolean endStream) {
        if (response != ResponseState.NONE) {
            return;
        }
        response = ResponseState.RESPONDING;
        if (extendedConnect) {
            MultiplexedHeaders.toExtendedConnectResponse(r);
        }
        afterWrite(new DefaultHttp3HeadersFrame(Http3HeaderConversion.fromResponse(r)), endStream);
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (response != ResponseState.RESPONDING) {
            data.release();
            return;
        }
        if (!data.isReadable() && !endStream) {
            data.release();
            return;
        }
        afterWrite(new DefaultHttp3DataFrame(data), endStream); // an empty last one carries the end (a 2-byte frame)
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (response != ResponseState.RESPONDING) {
            return;
        }
        afterWrite(new DefaultHttp3HeadersFrame(Http3HeaderConversion.fromTrailers(trailers)), true);
    }

    /**
     * Writes a frame of the response; the last one is followed by the FIN once it was handed to QUIC (Netty's
     * {@code shutdownOutput()} bypasses frames still queued for stream credit, so it must wait for the last write).
     */
    private void afterWrite(Object frame, boolean endStream) {
        if (!endStream) {
            channel.write(frame, backlog.track());
            flusher.flushLater();
            updateWatermarks();
            return;
        }
        response = ResponseState.COMPLETE;
        channel.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                channel.shutdownOutput(); // the FIN, after every frame written
            } else {
                log.debug("HTTP/3 stream {}: response not sent: {}", channel.streamId(), String.valueOf(f.cause()));
                channel.close();
            }
        });
        if (request != RequestState.COMPLETE) {
            // RFC 9114 §4.1: the response is complete; the rest of the request is not needed
            request = RequestState.COMPLETE;
            held = null;
            channel.shutdownInput(Http3ErrorCode.H3_NO_ERROR.code());
        }
    }

    @Override
    public void resetStream(StreamResetReason reason) {
        if (response == ResponseState.COMPLETE || response == ResponseState.RESET) {
            return;
        }
        response = ResponseState.RESET;
        request = RequestState.COMPLETE;
        reset(reason == StreamResetReason.REMOTE_REFUSED_STREAM ? Http3ErrorCode.H3_REQUEST_REJECTED
                : Http3ErrorCode.H3_REQUEST_CANCELLED);
    }

    /** RESET_STREAM and STOP_SENDING with {@code code} (RFC 9000 §19.4-5), then the channel closes. */
    private void reset(Http3ErrorCode code) {
        response = response == ResponseState.COMPLETE ? response : ResponseState.RESET;
        channel.shutdown(code.code()).addListener(f -> channel.close());
    }

    @Override
    public void readDisable(boolean disable) {
        if (disable) {
            if (readDisables++ == 0) {
                channel.config().setAutoRead(false);
            }
        } else if (readDisables > 0 && --readDisables == 0) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public boolean isWritable() {
        return backlog.writable();
    }

    /** The QUIC stream id (RFC 9000 §2.1). */
    long streamId() {
        return channel.streamId();
    }
}
