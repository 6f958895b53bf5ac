package io.outrigger.codec.http3;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http3.DefaultHttp3GoAwayFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ErrorCode;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.outrigger.codec.ConnectionDrainPolicy;
import io.outrigger.codec.ConnectionIdleTimer;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ServerCodecOptions;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.ServerDrainEvent;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream HTTP/3 server codec of one QUIC connection (RFC 9114): installs Netty's
 * {@link Http3ServerConnectionHandler} (control and QPACK streams, SETTINGS) on the connection, one
 * {@link Http3ServerStream} per request stream, and does what is per connection: the connection manager, the
 * listener's idle timeout, drains with GOAWAY (RFC 9114 §5.2: first the largest stream id, a round trip later the
 * last one taken) and {@code max_requests_per_connection}. 0-RTT is off (the TLS context refuses early data), so every
 * request arrives after the handshake and none can be replayed. Confined to the connection's event loop.
 */
public final class Http3ServerConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http3ServerConnection.class);
    /** The largest client-initiated bidirectional stream id (a varint holds 2^62-1). */
    private static final long MAX_CLIENT_STREAM_ID = (1L << 62) - 4;
    /** Between the announcing GOAWAY and the final one of a drain: covers a client's round trip, ms. */
    static final long DRAIN_GOAWAY_DELAY_MS = 1_000;

    private final Function<QuicChannel, ServerConnectionCallbacks> connectionManagers;
    private final ServerCodecOptions options;
    private final ConnectionDrainPolicy drainPolicy;
    private QuicChannel channel;
    private ServerConnectionCallbacks callbacks;
    private ConnectionIdleTimer idle;
    private int activeStreams;
    private long lastStreamId = -1;
    /** Set once the final GOAWAY went out: the connection closes when its last stream ends. */
    private boolean closing;

    /**
     * @param connectionManagers makes the connection manager, at the first request (the handshake may not be done then)
     * @param options            idle timeout, requests per connection, keep-alive under overload, listener drain
     */
    public Http3ServerConnection(Function<QuicChannel, ServerConnectionCallbacks> connectionManagers,
                                 ServerCodecOptions options) {
        this.connectionManagers = connectionManagers;
        this.options = options;
        this.drainPolicy = new ConnectionDrainPolicy(options);
    }

    /**
     * Netty's connection handler for this codec.
     *
     * @param maxFieldSectionSize SETTINGS_MAX_FIELD_SECTION_SIZE: bytes of request headers accepted (RFC 9114 §4.2.2)
     */
    public Http3ServerConnectionHandler http3Handler(long maxFieldSectionSize) {
        Http3SettingsFrame settings = new DefaultHttp3SettingsFrame();
        settings.put(Http3SettingsFrame.HTTP3_SETTINGS_MAX_FIELD_SECTION_SIZE, maxFieldSectionSize);
        Http3ServerConnection self = this;
        return new Http3ServerConnectionHandler(new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.pipeline().addLast(new Http3ServerStream(self, ch));
            }
        }, null, null, settings, false);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = (QuicChannel) ctx.channel();
        idle = new ConnectionIdleTimer(channel, options.idleTimeout(), this::closeIdle, System::nanoTime);
        idle.start();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ServerDrainEvent.INSTANCE) {
            if (drainPolicy.drainNow()) {
                callbacks().onConnectionDrained(ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN);
                drainGracefully();
            }
            return;
        } else if (evt == ServerDrainEvent.CLOSE_IDLE) {
            if (activeStreams == 0) {
                close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.stop();
        ctx.fireChannelInactive();
    }

    private ServerConnectionCallbacks callbacks() {
        if (callbacks == null) {
            callbacks = connectionManagers.apply(channel);
        }
        return callbacks;
    }

    /** A request stream's headers are complete: the core's stream for it. */
    RequestDecoder newStream(Http3ServerStream stream) {
        activeStreams++;
        idle.streamStarted();
        lastStreamId = Math.max(lastStreamId, streamId(stream));
        RequestDecoder decoder = callbacks().newStream(stream);
        ServerConnectionCallbacks.DrainReason drain = drainPolicy.onNewRequest();
        if (drain != null) {
            callbacks.onConnectionDrained(drain);
            if (drain == ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN) {
                drainGracefully();
            } else {
                finalGoAway(); // this stream is the last; the connection closes when it ends
            }
        }
        return decoder;
    }

    private long streamId(Http3ServerStream stream) {
        return stream.streamId();
    }

    /** A stream that reached the core ended (its channel closed). */
    void streamEnded() {
        activeStreams--;
        idle.streamEnded();
        if (closing && activeStreams == 0) {
            close();
        }
    }

    void onProtocolError(ProtocolError kind, String detail) {
        callbacks().onProtocolError(kind, detail);
    }

    void onRemoteReset() {
        callbacks().onRemoteReset();
    }

    private void drainGracefully() {
        goAway(MAX_CLIENT_STREAM_ID);
        channel.eventLoop().schedule(this::finalGoAway, DRAIN_GOAWAY_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /** The GOAWAY naming the first stream not taken; the connection closes once its streams end. */
    private void finalGoAway() {
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        goAway(lastStreamId + 4);
        if (activeStreams == 0) {
            close();
        }
    }

    private void goAway(long id) {
        QuicStreamChannel control = Http3.getLocalControlStream(channel);
        if (control != null && control.isActive()) {
            control.writeAndFlush(new DefaultHttp3GoAwayFrame(id)).addListener(f -> {
                if (!f.isSuccess()) {
                    log.debug("HTTP/3 GOAWAY not sent on {}: {}", channel, String.valueOf(f.cause()));
                }
            });
        }
    }

    private void closeIdle() {
        finalGoAway();
    }

    private void close() {
        channel.close(true, Http3ErrorCode.H3_NO_ERROR.code(), Unpooled.EMPTY_BUFFER);
    }
}
