package io.outrigger.codec.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream HTTP/2 client codec: one handler per connection ({@link Http2ConnectionHandler} with this class's
 * frame listener), streams in the connection's stream map ({@link Http2ClientStream}). It tells its
 * {@link Owner} (the pool) when the peer's stream limit is known, when a GOAWAY arrives (no new streams; streams
 * above its last-stream-id are reset as provably unprocessed, RFC 9113 §6.8), when a stream ends and when a PING
 * keepalive is answered.
 */
public final class Http2ClientConnection extends Http2Codec {
    private static final Logger log = LoggerFactory.getLogger(Http2ClientConnection.class);

    /** What the connection reports to its pool. Called on the connection's event loop. */
    public interface Owner {
        /** SETTINGS from the upstream arrived (its SETTINGS_MAX_CONCURRENT_STREAMS is now known). */
        void onSettings(Http2ClientConnection connection);

        /** A GOAWAY arrived: no new streams on this connection. */
        void onGoAway(Http2ClientConnection connection);

        /** A stream of this connection ended (capacity for another). */
        void onStreamClosed(Http2ClientConnection connection);
    }

    private final Owner owner;
    private final String scheme;
    private final Http2Connection.PropertyKey streamKey;
    private boolean goAway;

    private Http2ClientConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                                  Owner owner, String scheme) {
        super(decoder, encoder, settings);
        this.owner = owner;
        this.scheme = scheme;
        this.streamKey = connection().newKey();
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                goAway = true;
                // streams above lastStreamId were not processed: Netty closes them next; mark them refused first
                try {
                    connection().forEachActiveStream(stream -> {
                        Http2ClientStream s = stream.getProperty(streamKey);
                        if (s != null && stream.id() > lastStreamId) {
                            s.markRefused();
                        }
                        return true;
                    });
                } catch (Http2Exception e) {
                    throw new IllegalStateException(e); // the visitor throws nothing
                }
                owner.onGoAway(Http2ClientConnection.this);
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2ClientStream s = stream.removeProperty(streamKey);
                if (s != null) {
                    s.onClosed();
                }
                owner.onStreamClosed(Http2ClientConnection.this);
            }
        });
        encoder.flowController().listener(stream -> {
            Http2ClientStream s = stream.getProperty(streamKey);
            if (s != null) {
                s.onWritabilityChanged();
            }
        });
    }

    /**
     * @param settings the SETTINGS this client announces (initial window size, no push)
     * @param scheme   {@code http} or {@code https}, sent as {@code :scheme}
     * @param connectionWindow the connection's flow-control window in bytes (raised by a WINDOW_UPDATE at start)
     */
    public static Http2ClientConnection create(Owner owner, Http2Settings settings, String scheme, int connectionWindow) {
        Http2ClientConnection c = new Builder(owner, scheme).initialSettings(settings).build();
        c.connectionWindow = connectionWindow;
        return c;
    }

    private int connectionWindow;

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // writes the preface and SETTINGS
        int increase = connectionWindow - connection().local().flowController().initialWindowSize();
        if (increase > 0) {
            try {
                decoder().flowController().incrementWindowSize(connection().connectionStream(), increase);
            } catch (Http2Exception e) {
                log.debug("cannot raise the connection window: {}", e.toString());
            }
        }
        ctx.flush();
    }

    /** Whether a GOAWAY arrived or was sent: no new streams. */
    public boolean isDraining() {
        return goAway || connection().goAwayReceived() || connection().goAwaySent() || !ctx().channel().isActive();
    }

    /** Streams open now. */
    public int activeStreams() {
        return connection().numActiveStreams();
    }

    /** How many streams the upstream allows at once (its SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until known). */
    public int peerMaxConcurrentStreams() {
        return connection().local().maxActiveStreams();
    }

    /**
     * Opens a stream; the caller encodes the request on it.
     *
     * @param decoder where the response goes
     */
    public RequestEncoder newStream(ResponseDecoder decoder) {
        return new Http2ClientStream(this, decoder, scheme);
    }

    /**
     * {@code connection_keepalive}: a PING every {@code interval} (while none is outstanding); when its acknowledgement
     * does not come within {@code timeout}, the connection is closed (its streams are reset). Runs until the channel
     * closes.
     */
    public void startKeepalive(Duration interval, Duration timeout) {
        ScheduledFuture<?> pings = ctx().executor().scheduleAtFixedRate(() -> {
            if (pingTimeout != null || !ctx().channel().isActive()) {
                return;
            }
            encoder().writePing(ctx(), false, System.nanoTime(), ctx().newPromise());
            flusher().flushLater();
            pingTimeout = ctx().executor().schedule(() -> {
                log.debug("HTTP/2 keepalive PING unanswered in {}: closing {}", timeout, ctx().channel());
                ctx().channel().close();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        ctx().channel().closeFuture().addListener(f -> {
            pings.cancel(false);
            if (pingTimeout != null) {
                pingTimeout.cancel(false);
            }
        });
    }

    private ScheduledFuture<?> pingTimeout;

    /** Sends GOAWAY(NO_ERROR) and closes once the open streams end. */
    public void shutdownGracefully() {
        goAway = true;
        ctx().channel().close(); // Http2ConnectionHandler.close: GOAWAY, then close after active streams finish
    }



    void attach(Http2Stream stream, Http2ClientStream s) {
        stream.setProperty(streamKey, s);
    }



    private Http2ClientStream streamOf(int streamId) {
        Http2Stream h2 = connection().stream(streamId);
        return h2 == null ? null : h2.getProperty(streamKey);
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
            Http2ClientStream s = streamOf(streamId);
            if (s != null) {
                s.onHeaders(headers, endStream);
            }
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            Http2ClientStream s = streamOf(streamId);
            if (s == null) {
                return data.readableBytes() + padding;
            }
            return padding + s.onData(data.retain(), endOfStream);
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            Http2ClientStream s = streamOf(streamId);
            if (s != null) {
                s.onRemoteReset(errorCode);
            }
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            owner.onSettings(Http2ClientConnection.this);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
            if (pingTimeout != null) {
                pingTimeout.cancel(false);
                pingTimeout = null;
            }
        }
    }

    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ClientConnection, Builder> {
        private final Owner owner;
        private final String scheme;

        Builder(Owner owner, String scheme) {
            this.owner = owner;
            this.scheme = scheme;
            connection(Http2Codec.newConnection(false)); // sets the side, as server(false) would
            validateHeaders(true);
            headerSensitivityDetector(HpackIndexing.INSTANCE);
        }

        @Override
        public Builder initialSettings(Http2Settings settings) {
            return super.initialSettings(settings);
        }

        @Override
        public Http2ClientConnection build() {
            return super.build();
        }

        @Override
        protected Http2ClientConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                              Http2Settings initialSettings) {
            Http2ClientConnection c = new Http2ClientConnection(decoder, encoder, initialSettings, owner, scheme);
            frameListener(c.new Listener());
            return c;
        }
    }
}
