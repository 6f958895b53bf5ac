package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.codec.ConnectionIdleTimer;
import io.outrigger.codec.FlushScheduler;
import io.outrigger.codec.ConnectionDrainPolicy;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.ServerCodecOptions;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.ServerDrainEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream HTTP/1.1 server codec's connection (pipeline: {@code Http1ServerCodec ->
 * [HttpServerUpgradeHandler] -> this}): turns decoded {@link HttpObject}s into protocol-neutral stream
 * calls on the connection manager, one request at a time, and frames each response
 * ({@link Http1ServerStream}). Validation, hop-by-hop headers, {@code Expect: 100-continue}, keep-alive and
 * pipelining live here and nowhere else.
 *
 * <p>Pipelining: requests decoded while a response is in progress wait in a queue, and reading pauses once
 * 64 wait (no per-request read toggling, which would cost two epoll_ctl calls per request). A malformed
 * request gets 400 (431 for headers over the limit, 414 for a long request line), is never forwarded, and
 * the connection closes.
 *
 * <p>Buffers: every {@link HttpObject} read is released here or its content handed to the stream decoder.
 */
public final class Http1ServerConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http1ServerConnection.class);
    /** Decoded messages held while a response is in progress before reading stops. */
    static final int MAX_QUEUED = 64;

    private final Function<Channel, ServerConnectionCallbacks> connectionManagers;
    private final ServerCodecOptions options;
    private final ConnectionDrainPolicy drainPolicy;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(0);
    private ConnectionIdleTimer idle;
    private ServerConnectionCallbacks callbacks;
    private Channel channel;
    private FlushScheduler flusher;
    private Http1ServerStream stream;
    private int readDisableCount;
    private boolean closing;
    private boolean pausedForPipelining;
    private boolean skipEmptyEnd;
    /** Whether the h2c upgrade handler may still be in the pipeline (only the first request can upgrade). */
    private boolean upgradeHandlerPossible = true;

    /**
     * @param connectionManagers makes the connection manager of a new connection (called once, in {@code handlerAdded})
     * @param idleTimeout        the listener's {@code idle_timeout}: no request for this long closes the connection
     */
    public Http1ServerConnection(Function<Channel, ServerConnectionCallbacks> connectionManagers, Duration idleTimeout) {
        this(connectionManagers, ServerCodecOptions.idleOnly(idleTimeout));
    }

    /**
     * @param connectionManagers makes the connection manager of a new connection (called once, in {@code handlerAdded})
     * @param options            idle timeout, requests per connection, keep-alive under overload (the request headers
     *                           timeout is {@link Http1ServerCodec}'s, which reports it here as a user event)
     */
    public Http1ServerConnection(Function<Channel, ServerConnectionCallbacks> connectionManagers, ServerCodecOptions options) {
        this.connectionManagers = connectionManagers;
        this.options = options;
        this.drainPolicy = new ConnectionDrainPolicy(options);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        flusher = new FlushScheduler(channel);
        callbacks = connectionManagers.apply(channel);
        idle = new ConnectionIdleTimer(channel, options.idleTimeout(), channel::close, System::nanoTime);
        idle.start();
    }

    /**
     * The handler leaves the pipeline — HTTP/2 took the connection over (an h2c prior-knowledge preface, or an
     * {@code Upgrade: h2c}), or the channel is gone — so its idle timer stops: it never sees HTTP/2 streams and would
     * otherwise close the busy connection when it fires.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idle.stop();
        releaseQueued();
    }

    Channel channel() {
        return channel;
    }

    FlushScheduler flusher() {
        return flusher;
    }

    /** Whether the current response must end the connection ({@code Connection: close}). */
    boolean isClosing() {
        return closing || drainPolicy.draining();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf raw) {
            // an upgraded connection (WebSocket): bytes pass as the stream's body, untouched
            Http1ServerStream s = stream;
            if (s != null && s.isTunnel() && !closing) {
                s.decoder().decodeData(raw, false);
            } else {
                raw.release();
            }
            return;
        }
        if (!(msg instanceof HttpObject http) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (skipEmptyEnd && queued.isEmpty() && http.decoderResult().isSuccess() && isEmptyEnd(http)) {
            // the empty end-of-message of the bodyless request just dispatched: dropped now, not queued behind its
            // response (which cost a task per request)
            skipEmptyEnd = false;
            ReferenceCountUtil.release(http);
            return;
        }
        if (!queued.isEmpty() || stream != null && stream.requestComplete()) {
            queued.add(http); // pipelining: wait for the current response
            if (queued.size() == MAX_QUEUED && !pausedForPipelining) {
                pausedForPipelining = true; // bounded: stop reading until the queue drains
                readDisable(true);
            }
            return;
        }
        dispatch(http);
    }

    private void dispatch(HttpObject msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(request, msg);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request, HttpObject msg) {
        if (upgradeHandlerPossible) {
            // RFC 9113 §3 (h2c upgrade, RFC 7540 §3.2): the first request is the one that may upgrade; it reached us,
            // so it did not. The handler (an aggregator every later message would pass through) leaves the pipeline.
            upgradeHandlerPossible = false;
            if (channel.pipeline().get(HttpServerUpgradeHandler.class) != null) {
                channel.pipeline().remove(HttpServerUpgradeHandler.class);
            }
        }
        DecoderResult result = request.decoderResult();
        String problem = result.isFailure() ? String.valueOf(result.cause().getMessage())
                : Http1RequestValidator.tooManyHeaders(request)
                ? "more than " + Http1RequestValidator.MAX_HEADERS_COUNT + " header fields"
                : Http1RequestValidator.validate(request);
        if (problem != null) {
            ReferenceCountUtil.release(msg);
            HttpResponseStatus status = result.isFailure() ? Http1RequestValidator.statusFor(result.cause())
                    : Http1RequestValidator.tooManyHeaders(request) ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            rejectMalformed(status, problem);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && keepServing(); // before Connection goes with the hop-by-hop headers
        boolean websocket = Http1Headers.isWebSocketUpgrade(request);
        boolean tunnel = websocket || HttpMethod.CONNECT.equals(request.method()); // bytes follow a 101 / 2xx
        boolean expectContinue = HttpUtil.is100ContinueExpected(request);
        if (expectContinue) {
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        if (msg instanceof FullHttpRequest full) {
            // an Upgrade request that HttpServerUpgradeHandler aggregated and did not upgrade: served as a plain request
            HttpRequest headersOnly = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            boolean hasBody = full.content().isReadable();
            boolean hasTrailers = !full.trailingHeaders().isEmpty();
            Http1ServerStream s = startStream(headersOnly, keepAlive, !hasBody && !hasTrailers && !tunnel, websocket);
            if (hasBody && stream == s) {
                s.decoder().decodeData(full.content().retain(), !hasTrailers);
            }
            if (hasTrailers && stream == s) {
                s.decoder().decodeTrailers(full.trailingHeaders());
            }
            full.release();
            return;
        }
        // RFC 9112 §6.3: a request with neither Transfer-Encoding nor a non-zero Content-Length has no body: it
        // ends with its headers, and the empty end-of-message the decoder still sends is dropped.
        boolean bodyless = Http1Headers.hasNoBody(request);
        skipEmptyEnd = bodyless;
        if (expectContinue && !bodyless) {
            // Like Envoy, answer Expect: 100-continue here rather than wait for the upstream.
            channel.write(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.CONTINUE),
                    channel.voidPromise());
            flusher.flushLater();
        }
        startStream(request, keepAlive, bodyless && !tunnel, websocket);
    }

    private Http1ServerStream startStream(HttpRequest request, boolean keepAlive, boolean endStream, boolean websocket) {
        Http1Headers.removeHopByHop(request.headers());
        if (websocket) {
            // the upgrade is end to end here: the core decides (upgrade_configs) and the upstream codec sends it on
            request.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        Http1ServerStream s = new Http1ServerStream(this, request.protocolVersion(), keepAlive, request.method(), endStream,
                websocket || HttpMethod.CONNECT.equals(request.method()));
        stream = s;
        idle.streamStarted();
        s.setDecoder(callbacks.newStream(s));
        s.decoder().decodeHeaders(request, endStream);
        return s;
    }

    private void onContent(HttpContent content) {
        Http1ServerStream s = stream;
        if (content.decoderResult().isFailure()) {
            String reason = String.valueOf(content.decoderResult().cause().getMessage());
            content.release();
            if (s != null) {
                s.markRequestBroken();
                s.decoder().sendLocalReply(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + reason);
            } else {
                rejectMalformed(HttpResponseStatus.BAD_REQUEST, reason);
            }
            return;
        }
        if (skipEmptyEnd) {
            skipEmptyEnd = false;
            if (isEmptyEnd(content)) {
                content.release();
                return;
            }
        }
        if (s == null || s.requestComplete()) {
            // the rest of a request whose stream already ended (answered locally, reset): drop it
            content.release();
            return;
        }
        ByteBuf data = content.content();
        if (!(content instanceof LastHttpContent last)) {
            if (data.isReadable()) {
                s.onRequestData(false);
                s.decoder().decodeData(data, false);
            } else {
                content.release();
            }
            return;
        }
        s.onRequestData(true);
        if (last.trailingHeaders().isEmpty()) {
            s.decoder().decodeData(data, true);
            return;
        }
        if (data.isReadable()) {
            s.decoder().decodeData(data, false);
        } else {
            data.release();
        }
        if (stream == s) {
            s.decoder().decodeTrailers(last.trailingHeaders());
        }
    }

    /**
     * The 101 of {@code s} was written: the connection carries raw bytes from now on. The HTTP/1.1 codec leaves the
     * pipeline (bytes it had buffered come here as they are).
     */
    void switchToTunnel() {
        ChannelPipeline p = channel.pipeline();
        if (p.get(HttpServerUpgradeHandler.class) != null) {
            p.remove(HttpServerUpgradeHandler.class);
        }
        if (p.get(Http1ServerCodec.class) != null) {
            p.remove(Http1ServerCodec.class);
        }
    }

    /** Counts the request; whether the connection may serve another after it. */
    private boolean keepServing() {
        ServerConnectionCallbacks.DrainReason drain = drainPolicy.onNewRequest();
        if (drain != null) {
            callbacks.onConnectionDrained(drain);
        }
        return !drainPolicy.draining();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ServerDrainEvent.INSTANCE) {
            if (!closing && drainPolicy.drainNow()) {
                // the current or next response carries Connection: close and ends the connection
                callbacks.onConnectionDrained(ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN);
            }
            return;
        }
        if (evt == ServerDrainEvent.CLOSE_IDLE) {
            if (!closing && drainPolicy.draining() && stream == null && queued.isEmpty()) {
                closing = true; // an idle keep-alive connection once the listener stopped accepting
                channel.close();
            }
            return;
        }
        if (evt == Http1ServerCodec.REQUEST_HEADERS_TIMEOUT) {
            if (closing) {
                return;
            }
            callbacks.onProtocolError(ProtocolError.REQUEST_HEADERS_TIMEOUT, "request headers not complete");
            if (stream == null && queued.isEmpty()) {
                rejectMalformed(HttpResponseStatus.REQUEST_TIMEOUT, "request headers timeout", false);
            } else {
                closing = true; // a response is in progress: the late request is dropped with the connection
                releaseQueued();
                channel.close();
            }
            return;
        }
        if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
            // h2c upgrade: the HTTP/2 codec takes over this connection; this handler is done.
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    // Malformed before a stream exists: answer and close; nothing was or will be forwarded.
    private void rejectMalformed(HttpResponseStatus status, String reason) {
        rejectMalformed(status, reason, true);
    }

    private void rejectMalformed(HttpResponseStatus status, String reason, boolean protocolError) {
        log.debug("rejecting malformed request from {}: {} ({})", channel.remoteAddress(), status, reason);
        if (protocolError) {
            callbacks.onProtocolError(ProtocolError.HTTP1_MALFORMED_REQUEST, status.code() + " " + reason);
        }
        closing = true;
        releaseQueued();
        byte[] body = (status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        callbacks.onRejectedRequest(status.code(), reason);
    }

    // --- from the stream ---

    /** The response of {@code s} is complete; the connection closes or serves the next request. */
    void onResponseComplete(Http1ServerStream s, boolean close) {
        if (s != stream) {
            return;
        }
        stream = null;
        idle.streamEnded();
        if (close || drainPolicy.draining()) {
            closing = true;
            releaseQueued();
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        flusher.flushLater();
        if (!queued.isEmpty()) {
            // Serve pipelined requests from a fresh task, not from inside the finished stream's call stack.
            channel.eventLoop().execute(this::drainQueued);
        }
    }

    /** {@code s} was reset by the proxy: HTTP/1.1 has no stream reset, so the connection closes. */
    void onStreamReset(Http1ServerStream s) {
        if (s == stream) {
            stream = null;
            idle.streamEnded();
        }
        closing = true;
        releaseQueued();
        // what was already written (response head, body so far) still goes out, then FIN: the client keeps the bytes
        // that came before, and the missing end (last chunk, Content-Length short) tells it the response was cut
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The end of a message with no bytes and no trailers: what the decoder sends after a bodyless request. */
    private static boolean isEmptyEnd(HttpObject msg) {
        return msg instanceof LastHttpContent l && !l.content().isReadable() && l.trailingHeaders().isEmpty();
    }

    private void drainQueued() {
        HttpObject msg;
        while (!closing && (stream == null || !stream.requestComplete()) && (msg = queued.poll()) != null) {
            dispatch(msg);
        }
        if (pausedForPipelining && queued.size() < MAX_QUEUED / 2) {
            pausedForPipelining = false;
            readDisable(false);
        }
    }

    /** Adds ({@code true}) or removes ({@code false}) one reason to stop reading the connection. */
    void readDisable(boolean disable) {
        readDisableCount += disable ? 1 : -1;
        if (readDisableCount < 0) {
            readDisableCount = 0;
        }
        channel.config().setAutoRead(readDisableCount == 0);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.onWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        idle.stop();
        releaseQueued();
        Http1ServerStream s = stream;
        stream = null;
        if (s != null) {
            s.onConnectionClosed();
        }
        ctx.fireChannelInactive();
    }


    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("downstream {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private void releaseQueued() {
        HttpObject m;
        while ((m = queued.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    /** Adds the listener's {@code Alt-Svc} (RFC 7838) to a response that has none. */
    void advertiseAlternatives(io.netty.handler.codec.http.HttpResponse response) {
        options.advertiseAlternatives(response);
    }
}
