package io.outrigger.codec.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.outrigger.codec.ConnectionDrainPolicy;
import io.outrigger.codec.ConnectionIdleTimer;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.RequestHeadersTimer;
import io.outrigger.codec.ServerCodecOptions;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.ServerDrainEvent;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.codec.http1.Http1Headers;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream HTTP/2 server codec: one handler per connection (Netty's {@link Http2ConnectionHandler}
 * with this class as its frame listener), its streams kept in the connection's stream map — no child
 * channel or pipeline per stream. HEADERS, DATA and RST_STREAM become protocol-neutral calls on the
 * connection manager's streams ({@link Http2ServerStream}); their responses go out as frames.
 *
 * <p>Malformed requests (RFC 9113 §8.1.1: missing {@code :method}, {@code :scheme} or {@code :path},
 * pseudo-headers in trailers, a second HEADERS without END_STREAM) get RST_STREAM(PROTOCOL_ERROR) and are
 * never forwarded. Request backpressure is per stream: a read-disabled stream stops returning flow-control
 * credit, so only its sender waits. The cleartext listener also reaches here through an {@code h2c} upgrade.
 *
 * <p>RFC 8441: the server announces SETTINGS_ENABLE_CONNECT_PROTOCOL; an extended CONNECT with
 * {@code :protocol websocket} reaches the core as an HTTP/1.1-style WebSocket upgrade (so an HTTP/1.1 upstream gets
 * {@code Upgrade: websocket}), and the upstream's 101 goes back as a 200; the stream's DATA frames carry the
 * WebSocket bytes both ways.
 */
public final class Http2ServerConnection extends Http2Codec {
    private static final Logger log = LoggerFactory.getLogger(Http2ServerConnection.class);

    private final Function<Channel, ServerConnectionCallbacks> connectionManagers;
    private final ServerCodecOptions options;
    private final int connectionWindow;
    /** Between the announcing GOAWAY and the final one of a listener drain: covers a client's round trip, ms. */
    static final long DRAIN_GOAWAY_DELAY_MS = 1_000;
    private final ConnectionDrainPolicy drainPolicy;
    private boolean connectionWindowGranted;
    private final StreamStateGuard guard;
    private final RequestHeadersTimer headersTimer;
    private final Http2Connection.PropertyKey streamKey;
    private ConnectionIdleTimer idle;
    private ServerConnectionCallbacks callbacks;

    private Http2ServerConnection(Http2ConnectionEncoder encoder, Http2Settings settings,
                                  Function<Channel, ServerConnectionCallbacks> connectionManagers,
                                  ServerCodecOptions options, int connectionWindow,
                                  StreamStateGuard guard, RemoteStreamHistory history, RequestHeadersTimer headersTimer) {
        super(guard, encoder, settings);
        this.guard = guard;
        this.headersTimer = headersTimer;
        this.connectionManagers = connectionManagers;
        this.options = options;
        this.drainPolicy = new ConnectionDrainPolicy(options);
        this.connectionWindow = connectionWindow;
        this.streamKey = connection().newKey();
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                if (connection().remote().isValidStreamId(stream.id())) {
                    history.opened(stream.id());
                }
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection().remote().isValidStreamId(stream.id())) {
                    history.closed(stream.id(), stream.isResetSent());
                }
                Http2ServerStream s = stream.removeProperty(streamKey);
                if (s != null) {
                    idle.streamEnded();
                    s.onClosed();
                }
            }
        });
        encoder.flowController().listener(stream -> {
            Http2ServerStream s = stream.getProperty(streamKey);
            if (s != null) {
                s.onWritabilityChanged();
            }
        });
    }

    /**
     * @param connectionManagers makes the connection manager when the handler is added
     * @param idleTimeout        the listener's {@code idle_timeout}: no stream for this long sends GOAWAY and closes
     * @param settings           the SETTINGS this server announces
     */
    public static Http2ServerConnection create(Function<Channel, ServerConnectionCallbacks> connectionManagers,
                                               Duration idleTimeout, Http2Settings settings) {
        return create(connectionManagers, ServerCodecOptions.idleOnly(idleTimeout), settings,
                Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    }

    /**
     * @param options          idle timeout, streams per connection ({@code max_requests_per_connection}: GOAWAY
     *                         after that many), keep-alive under overload (GOAWAY after the current stream)
     * @param settings         the SETTINGS this server announces (concurrent streams, stream window)
     * @param connectionWindow bytes of connection-level flow-control credit granted (at least 65,535, RFC 9113 §6.9.2)
     */
    public static Http2ServerConnection create(Function<Channel, ServerConnectionCallbacks> connectionManagers,
                                               ServerCodecOptions options, Http2Settings settings, int connectionWindow) {
        return new Builder(connectionManagers, options, connectionWindow).initialSettings(settings).build();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.callbacks = connectionManagers.apply(ctx.channel());
        this.idle = new ConnectionIdleTimer(ctx.channel(), options.idleTimeout(), () -> ctx.channel().close(),
                System::nanoTime);
        super.handlerAdded(ctx);
        idle.start();
        headersTimer.attach(ctx);
        if (ctx.channel().isActive()) {
            grantConnectionWindow(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // the preface (SETTINGS) goes first
        grantConnectionWindow(ctx);
    }

    /** A header block stayed open (no CONTINUATION with END_HEADERS) past {@code request_headers_timeout}. */
    private void onRequestHeadersTimeout() {
        callbacks.onProtocolError(ProtocolError.REQUEST_HEADERS_TIMEOUT, "header block not complete");
        ChannelHandlerContext ctx = ctx();
        goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.ENHANCE_YOUR_CALM.code(),
                io.netty.buffer.Unpooled.EMPTY_BUFFER, ctx.newPromise()).addListener(f -> ctx.close());
        ctx.flush();
    }

    /** Raises the connection window from the protocol's 65,535 bytes to the configured size (one WINDOW_UPDATE). */
    private void grantConnectionWindow(ChannelHandlerContext ctx) throws Http2Exception {
        int delta = connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (connectionWindowGranted || delta <= 0) {
            return;
        }
        connectionWindowGranted = true;
        decoder().flowController().incrementWindowSize(connection().connectionStream(), delta);
        flusher().flushLater();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        idle.stop();
        headersTimer.stop();
        super.channelInactive(ctx);
    }



    private final class Listener extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endStream) throws Http2Exception {
            onHeadersRead(ctx, streamId, headers, padding, endStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endStream) throws Http2Exception {
            Http2Stream h2 = connection().stream(streamId);
            Http2ServerStream s = h2 == null ? null : h2.getProperty(streamKey);
            if (s != null) {
                // a second block: trailers, which must end the stream and carry no pseudo-header (RFC 9113 §8.1)
                if (!endStream || Http2HeaderConversion.hasPseudoHeader(headers)) {
                    throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "malformed trailers");
                }
                s.onTrailers(Http2HeaderConversion.toTrailers(headers));
                return;
            }
            String problem = Http2HeaderConversion.validateRequest(headers);
            HttpRequest request;
            try {
                request = problem == null ? Http2HeaderConversion.toRequest(headers) : null;
            } catch (IllegalArgumentException e) {
                problem = "invalid :method";
                request = null;
            }
            if (problem != null) {
                log.debug("malformed HTTP/2 request on stream {}: {}", streamId, problem);
                throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "malformed request: %s", problem);
            }
            boolean extendedConnect = Http2HeaderConversion.toWebSocketUpgrade(headers, request);
            startStream(h2, request, endStream && !extendedConnect, extendedConnect);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            Http2Stream h2 = connection().stream(streamId);
            Http2ServerStream s = h2 == null ? null : h2.getProperty(streamKey);
            int bytes = data.readableBytes();
            if (s == null) {
                return bytes + padding;
            }
            return padding + s.onData(data.retain(), endOfStream); // credit for what is not held back
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            callbacks.onRemoteReset();
            Http2Stream h2 = connection().stream(streamId);
            Http2ServerStream s = h2 == null ? null : h2.getProperty(streamKey);
            if (s != null) {
                s.onRemoteReset(errorCode);
            }
        }
    }

    private void startStream(Http2Stream h2, HttpRequest request, boolean endStream, boolean extendedConnect) {
        Http2ServerStream s = new Http2ServerStream(this, h2, endStream, extendedConnect);
        h2.setProperty(streamKey, s);
        idle.streamStarted();
        s.start(callbacks.newStream(s), request, endStream);
        ServerConnectionCallbacks.DrainReason drain = drainPolicy.onNewRequest();
        if (drain == ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN) {
            callbacks.onConnectionDrained(drain);
            drainGracefully(ctx());
        } else if (drain != null) {
            callbacks.onConnectionDrained(drain);
            // graceful close: GOAWAY naming this stream as the last one now (as nginx does; a client learns at once
            // to open its next stream elsewhere), the connection closes once the streams in flight are done
            ctx().channel().close();
        }
    }

    /**
     * RFC 9113 §6.8's graceful shutdown for a listener drain: a GOAWAY with the largest stream id announces it, so the
     * streams a client is sending meanwhile are still served; {@link #DRAIN_GOAWAY_DELAY_MS} later (a round trip) the
     * final GOAWAY names the last stream taken and the connection closes once its open streams end (Envoy and nginx
     * drain the same way).
     */
    private void drainGracefully(ChannelHandlerContext ctx) {
        goAway(ctx, Integer.MAX_VALUE, Http2Error.NO_ERROR.code(), io.netty.buffer.Unpooled.EMPTY_BUFFER, ctx.newPromise());
        ctx.flush();
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                // Netty's close() sends no second GOAWAY once one was sent: name the last stream here
                goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(),
                        io.netty.buffer.Unpooled.EMPTY_BUFFER, ctx.newPromise());
                ctx.flush();
                ctx.channel().close(); // once the open streams end
            }
        }, DRAIN_GOAWAY_DELAY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ServerDrainEvent.INSTANCE) {
            if (drainPolicy.drainNow()) {
                callbacks.onConnectionDrained(ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN);
                drainGracefully(ctx);
            }
            return;
        }
        if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
            // h2c upgrade (RFC 7540 §3.2): the upgrading request is stream 1, half-closed (remote)
            FullHttpRequest full = upgrade.upgradeRequest();
            Http1Headers.removeHopByHop(full.headers());
            full.headers().remove("http2-settings");
            HttpRequest headersOnly = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            Http2Stream one = connection().stream(1);
            if (one != null) {
                boolean hasBody = full.content().isReadable();
                startStream(one, headersOnly, !hasBody, false);
                Http2ServerStream s = one.getProperty(streamKey);
                if (hasBody && s != null) {
                    s.onData(full.content().retain(), true, false);
                }
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Streams that read DATA in the current read batch; credited at its end. */
    private final java.util.ArrayList<Http2ServerStream> toCredit = new java.util.ArrayList<>();

    void creditAfterRead(Http2ServerStream s) {
        toCredit.add(s);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        for (int i = 0; i < toCredit.size(); i++) {
            toCredit.get(i).creditAfterRead();
        }
        toCredit.clear();
        super.channelReadComplete(ctx); // flushes, WINDOW_UPDATEs included
    }



    /** Errors that are not HTTP/2 protocol errors (a reset connection, a TLS failure): log at debug and close. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (io.netty.handler.codec.http2.Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause); // GOAWAY or RST_STREAM as RFC 9113 says
            return;
        }
        log.debug("downstream HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /**
     * Counts a protocol error when the failure is an HTTP/2 error ({@code http2Ex} not {@code null}), outbound ones
     * included: a server's own connection errors come from what the peer did (a control-frame flood it does not read,
     * a window it overflowed). A write that failed because the transport did (the client closed the connection while
     * responses were being written: {@code ClosedChannelException}, a reset) is not the peer breaking the protocol and
     * is only logged at debug, as Envoy counts it apart from {@code downstream_cx_protocol_error}.
     */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception http2Ex) {
        log.debug("HTTP/2 connection error from {}: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
        if (callbacks != null && http2Ex != null) {
            String detail = cause.getMessage();
            callbacks.onProtocolError(ProtocolError.HTTP2_CONNECTION_ERROR, detail != null ? detail : cause.toString());
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException http2Ex) {
        Http2Exception.StreamException e = outbound ? http2Ex : guard.correct(http2Ex);
        if (!outbound && callbacks != null) {
            callbacks.onProtocolError(ProtocolError.HTTP2_STREAM_ERROR, e.error() + ": " + e.getMessage());
        }
        super.onStreamError(ctx, outbound, e == http2Ex ? cause : e, e);
    }

    /** Adds the listener's {@code Alt-Svc} (RFC 7838) to a response that has none. */
    void advertiseAlternatives(io.netty.handler.codec.http.HttpResponse response) {
        options.advertiseAlternatives(response);
    }

    static StreamResetReason resetReasonFor(long errorCode) {
        return errorCode == Http2Error.REFUSED_STREAM.code() ? StreamResetReason.REMOTE_REFUSED_STREAM
                : StreamResetReason.REMOTE_RESET;
    }

    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ServerConnection, Builder> {
        private final Function<Channel, ServerConnectionCallbacks> connectionManagers;
        private final ServerCodecOptions options;
        private final int connectionWindow;

        Builder(Function<Channel, ServerConnectionCallbacks> connectionManagers, ServerCodecOptions options,
                int connectionWindow) {
            this.connectionManagers = connectionManagers;
            this.options = options;
            this.connectionWindow = connectionWindow;
            connection(Http2Codec.newConnection(true)); // sets the side, as server(true) would
            validateHeaders(true);
            headerSensitivityDetector(HpackIndexing.INSTANCE);
        }

        @Override
        public Builder initialSettings(Http2Settings settings) {
            return super.initialSettings(settings);
        }

        @Override
        public Http2ServerConnection build() {
            return super.build();
        }

        @Override
        protected Http2ServerConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                              Http2Settings initialSettings) {
            RemoteStreamHistory history = new RemoteStreamHistory();
            Http2ServerConnection[] handler = new Http2ServerConnection[1];
            // time from the connection's event loop (its ticker: the system clock, or a test's)
            RequestHeadersTimer headersTimer = new RequestHeadersTimer(options.requestHeadersTimeout(),
                    () -> handler[0].ctx().executor().ticker().nanoTime(), () -> handler[0].onRequestHeadersTimeout());
            Http2ServerConnection h = new Http2ServerConnection(encoder, initialSettings, connectionManagers,
                    options, connectionWindow, new StreamStateGuard(decoder, history, headersTimer), history, headersTimer);
            handler[0] = h;
            frameListener(h.new Listener());
            return h;
        }
    }
}
