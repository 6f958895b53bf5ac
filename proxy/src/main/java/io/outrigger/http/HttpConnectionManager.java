package io.outrigger.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.codec.http1.Http1RequestValidator;
import io.outrigger.tls.TlsAttributes;
import io.outrigger.worker.Worker;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a downstream HTTP/1.1 connection, or of one HTTP/2 stream's child channel
 * (after {@code Http2StreamFrameToHttpObjectCodec}): turns {@link HttpObject}s into {@link ActiveStream}s,
 * one at a time, so both protocols share one request path.
 *
 * <p>HTTP/1.1: requests are served one after another; pipelined requests decoded while a response is in
 * progress wait in a queue, and reading pauses once 64 messages wait (no per-request read toggling, which
 * would cost two epoll_ctl calls per request). A malformed request gets 400 (431 for headers over the
 * limit, 414 for a long request line) and the connection closes.
 *
 * <p>Flow control: {@link #readDisable} counts reasons to stop reading (backpressure from the upstream, a
 * full pipelining queue); reading resumes when none remain.
 */
public final class HttpConnectionManager extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpConnectionManager.class);

    private final ListenerContext listener;
    private final Worker worker;
    private final boolean http2;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(0);
    private Channel channel;
    private SocketAddress remoteAddress;
    private String clientCertificateDetails;
    private ActiveStream stream;
    private int readDisableCount;
    private boolean closing;
    private boolean pausedForPipelining;
    private boolean skipEmptyEnd;
    private boolean internalPeer;
    /** Decoded HTTP/1.1 messages held while a response is in progress before reading stops. */
    static final int MAX_QUEUED = 64;

    /**
     * @param http2 whether this handler serves one HTTP/2 stream (a child channel) rather than an HTTP/1.1 connection
     */
    public HttpConnectionManager(ListenerContext listener, Worker worker, boolean http2) {
        this.listener = listener;
        this.worker = worker;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        Channel connection = http2 && channel.parent() != null ? channel.parent() : channel;
        remoteAddress = connection.remoteAddress();
        internalPeer = listener.internalAddresses().contains(remoteAddress);
        clientCertificateDetails = connection.attr(TlsAttributes.XFCC).get();
    }

    /** Whether the peer is an internal, trusted hop ({@code internal_address_config}). */
    boolean internalPeer() {
        return internalPeer;
    }

    /** The {@code x-forwarded-client-cert} value of this connection's verified client, or {@code null}. */
    String clientCertificateDetails() {
        return clientCertificateDetails;
    }

    ListenerContext listener() {
        return listener;
    }

    Worker worker() {
        return worker;
    }

    Channel channel() {
        return channel;
    }

    SocketAddress remoteAddress() {
        return remoteAddress;
    }

    boolean isHttp2() {
        return http2;
    }

    boolean isDraining() {
        return closing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!queued.isEmpty() || !http2 && stream != null && stream.requestComplete()) {
            queued.add(http); // HTTP/1.1 pipelining: wait for the current response
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
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            ReferenceCountUtil.release(msg);
            rejectMalformed(statusFor(result.cause()), String.valueOf(result.cause().getMessage()));
            return;
        }
        if (Http1RequestValidator.tooManyHeaders(request)) {
            ReferenceCountUtil.release(msg);
            rejectMalformed(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "more than " + Http1RequestValidator.MAX_HEADERS_COUNT + " header fields");
            return;
        }
        if (!http2) {
            String problem = Http1RequestValidator.validate(request);
            if (problem != null) {
                ReferenceCountUtil.release(msg);
                rejectMalformed(HttpResponseStatus.BAD_REQUEST, problem);
                return;
            }
        }
        // A full message (HTTP/2 HEADERS with END_STREAM) becomes headers plus an end: the stream works
        // on a plain request, and the full message (with its aggregated buffer) is released here.
        if (!(msg instanceof FullHttpRequest full)) {
            // RFC 9112 §6.3: an HTTP/1.1 request with neither Transfer-Encoding nor a non-zero Content-Length has
            // no body. End the stream with its headers (the upstream request then goes without chunked framing)
            // and drop the empty end-of-message the decoder still sends.
            boolean bodyless = !http2 && !HttpUtil.isTransferEncodingChunked(request) && contentLengthIsZero(request);
            skipEmptyEnd = bodyless;
            stream = new ActiveStream(this, request);
            stream.decodeHeaders(bodyless);
            return;
        }
        HttpRequest headersOnly = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        boolean hasBody = full.content().isReadable();
        boolean hasTrailers = !full.trailingHeaders().isEmpty();
        ActiveStream s = new ActiveStream(this, headersOnly);
        stream = s;
        s.decodeHeaders(!hasBody && !hasTrailers);
        if (hasBody) {
            s.decodeData(full.content().retain(), !hasTrailers);
        }
        if (hasTrailers) {
            s.decodeTrailers(full.trailingHeaders());
        }
        full.release();
    }

    private void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String reason = String.valueOf(content.decoderResult().cause().getMessage());
            content.release();
            if (stream != null) {
                stream.onDownstreamProtocolError(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + reason);
            } else {
                rejectMalformed(HttpResponseStatus.BAD_REQUEST, reason);
            }
            return;
        }
        if (skipEmptyEnd) {
            skipEmptyEnd = false;
            if (content instanceof LastHttpContent l && !l.content().isReadable() && l.trailingHeaders().isEmpty()) {
                content.release();
                return;
            }
        }
        if (stream == null) {
            // The rest of a request whose stream already ended (e.g. answered locally); drop it.
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        ByteBuf data = content.content();
        if (!last) {
            if (data.isReadable()) {
                stream.decodeData(data, false);
            } else {
                content.release();
            }
            return;
        }
        LastHttpContent lastContent = (LastHttpContent) content;
        if (lastContent.trailingHeaders().isEmpty()) {
            stream.decodeData(data, true);
            return;
        }
        ActiveStream s = stream;
        if (data.isReadable()) {
            s.decodeData(data, false);
        } else {
            data.release();
        }
        s.decodeTrailers(lastContent.trailingHeaders());
    }

    // absent or 0; anything else (including a value the validator let through as a list) keeps the body path
    private static boolean contentLengthIsZero(HttpRequest request) {
        String cl = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return cl == null || cl.trim().equals("0");
    }

    private static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    // Malformed HTTP/1.1 before a stream exists: answer and close; nothing was or will be forwarded.
    private void rejectMalformed(HttpResponseStatus status, String reason) {
        log.debug("rejecting malformed request from {}: {} ({})", remoteAddress, status, reason);
        closing = true;
        releaseQueued();
        byte[] body = (status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        AccessLog.logRejected(listener.name(), remoteAddress, status.code());
    }

    // --- from ActiveStream ---

    void onStreamComplete(ActiveStream s, boolean closeConnection, ChannelFuture lastWrite) {
        if (s != stream) {
            return;
        }
        stream = null;
        if (http2) {
            if (closeConnection && lastWrite != null) {
                lastWrite.addListener(ChannelFutureListener.CLOSE); // RST_STREAM if the request is unfinished
            }
            return;
        }
        if (closeConnection) {
            closing = true;
            releaseQueued();
            if (lastWrite != null) {
                lastWrite.addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.close();
            }
            return;
        }
        if (!queued.isEmpty()) {
            // Serve pipelined requests from a fresh task, not from inside the finished stream's call stack.
            channel.eventLoop().execute(this::drainQueued);
        }
    }

    void onStreamReset(ActiveStream s) {
        if (s == stream) {
            stream = null;
        }
        closing = true;
        releaseQueued();
        channel.close(); // HTTP/1.1: the connection; HTTP/2: the stream (RST_STREAM)
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

    /**
     * Adds ({@code true}) or removes ({@code false}) one reason to stop reading from the downstream.
     */
    void readDisable(boolean disable) {
        readDisableCount += disable ? 1 : -1;
        if (readDisableCount < 0) {
            readDisableCount = 0;
        }
        channel.config().setAutoRead(readDisableCount == 0);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.onDownstreamReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.onDownstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        releaseQueued();
        ActiveStream s = stream;
        stream = null;
        if (s != null) {
            s.onDownstreamReset();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
            // h2c upgrade: HTTP/2 handlers take over this connection; this handler is done.
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
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
}
