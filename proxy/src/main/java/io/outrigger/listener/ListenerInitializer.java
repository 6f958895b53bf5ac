package io.outrigger.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SniHandler;
import io.netty.util.AsciiString;
import io.netty.handler.codec.quic.QuicChannel;
import io.outrigger.codec.ServerCodecOptions;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.codec.ServerDrainEvent;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.outrigger.config.DownstreamConnectionConfig;
import io.outrigger.config.Http2ProtocolOptions;
import io.outrigger.overload.OverloadState;
import io.outrigger.stats.DownstreamEvent;
import java.util.concurrent.atomic.AtomicInteger;
import io.outrigger.codec.http1.Http1ServerCodec;
import io.outrigger.codec.http1.Http1ServerConnection;
import io.outrigger.codec.http2.Http2ServerConnection;
import io.outrigger.http.HttpConnectionManager;
import io.outrigger.http.ListenerContext;
import io.outrigger.tls.ServerTlsContexts;
import io.outrigger.worker.Worker;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the pipeline of an accepted connection. A TLS listener starts with
 * {@code SniHandler} (which becomes the {@code SslHandler} of the certificate chosen by SNI) and
 * {@link AlpnHandler}, which installs the HTTP/2 or HTTP/1.1 codec after the handshake.
 * A cleartext listener serves HTTP/1.1 and HTTP/2 on one port:
 * <pre>
 *   Http2PriorKnowledgeDetector -> Http1ServerCodec -> HttpServerUpgradeHandler (h2c) -> Http1ServerConnection
 * </pre>
 * With the HTTP/2 preface (prior knowledge) or after an {@code Upgrade: h2c}, the connection's codec is
 * {@link Http2ServerConnection} instead. Either codec hands protocol-neutral streams to the connection's
 * {@link HttpConnectionManager}. The connection's worker is the event loop it was accepted on.
 */
public final class ListenerInitializer extends ChannelInitializer<Channel> {
    /** RFC 9110 leaves it open; 60 KiB of request headers is Envoy's default limit. */
    public static final int MAX_HEADER_BYTES = 60 * 1024;
    static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;

    static final int TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

    /** What a reload may change; new connections read it once, streams read the context once each. */
    private record State(ListenerContext context, ServerTlsContexts tls, ServerCodecOptions codecOptions) {
    }

    private final Map<EventLoop, Worker> workers;
    private final Function<Channel, ServerConnectionCallbacks> connectionManagers;
    private volatile State state;
    private volatile boolean draining;
    private volatile boolean stoppedAccepting;
    /** The {@code Alt-Svc} value of TCP responses while the listener serves HTTP/3, else {@code null}. */
    private volatile String altSvc;
    /** Open connections of this listener, across all workers (for {@code max_connections}). */
    private final AtomicInteger open = new AtomicInteger();
    /** The open connections, for a drain (a channel leaves the group when it closes). */
    private final ChannelGroup connections = new DefaultChannelGroup("listener", GlobalEventExecutor.INSTANCE);

    /**
     * @param tls         the listener's server contexts, or {@code null} for cleartext
     * @param idleTimeout the listener's {@code idle_timeout} ({@code ZERO}: none)
     */
    public ListenerInitializer(ListenerContext context, Map<EventLoop, Worker> workers, ServerTlsContexts tls,
                               Duration idleTimeout) {
        this.workers = workers;
        this.state = state(context, tls, idleTimeout);
        this.connectionManagers = ch -> new HttpConnectionManager(this::context, workers.get(ch.eventLoop()), ch);
    }

    private State state(ListenerContext context, ServerTlsContexts tls, Duration idleTimeout) {
        DownstreamConnectionConfig connection = context.connection();
        OverloadState overload = context.overload();
        return new State(context, tls, new ServerCodecOptions(idleTimeout, connection.requestHeadersTimeout(),
                connection.maxRequestsPerConnection(), overload::disableHttpKeepalive, () -> draining, altSvc));
    }

    /**
     * Announces the listener's HTTP/3 side on its TCP responses (RFC 7838): {@code h3=":PORT"; ma=86400}, or
     * {@code null} for none. Call before the listener accepts (the settings of later connections carry it).
     */
    public void advertiseHttp3(int port) {
        this.altSvc = "h3=\":" + port + "\"; ma=86400";
        State st = state;
        this.state = state(st.context(), st.tls(), st.codecOptions().idleTimeout());
    }

    /**
     * Applies a reloaded listener config (same name and address): streams that begin from now on use {@code context}
     * (routes, filters, access log, ...), also on connections already open; connections accepted from now on use
     * {@code tls} and the connection settings.
     */
    public void update(ListenerContext context, ServerTlsContexts tls, Duration idleTimeout) {
        this.state = state(context, tls, idleTimeout);
    }

    /** The listener's current TLS contexts, or {@code null} for cleartext. */
    public ServerTlsContexts tls() {
        return state.tls();
    }

    /** The listener's current settings. */
    public ListenerContext context() {
        return state.context();
    }

    /**
     * Drains the listener: every open connection finishes its requests in flight and closes ({@link ServerDrainEvent}),
     * and every request from now on, on a connection accepted later too, is the last of its connection. Accepting is
     * the caller's to stop (closing the server channel).
     */
    public void drain() {
        draining = true;
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ServerDrainEvent.INSTANCE));
        }
    }

    /** After the listener stopped accepting: its idle HTTP/1.1 keep-alive connections close ({@link ServerDrainEvent#CLOSE_IDLE}). */
    public void closeIdle() {
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ServerDrainEvent.CLOSE_IDLE));
        }
    }

    /**
     * The listener stops accepting: new connections are closed at once. Its TCP socket is closed by the caller; its UDP
     * socket stays until its QUIC connections are done, so this is how the HTTP/3 side stops accepting.
     */
    public void stopAccepting() {
        stoppedAccepting = true;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /**
     * Admits a new connection — TCP, or QUIC for the listener's HTTP/3 side — against the overload manager and
     * {@code max_connections} (one count for both), and tracks it until it closes.
     *
     * @return whether the connection may go on; when not, it was counted and closed
     */
    boolean admit(Channel ch) {
        ListenerContext context = state.context();
        if (stoppedAccepting) {
            ch.close(); // the HTTP/3 side of a listener that stopped accepting (its UDP socket serves the open ones)
            return false;
        }
        if (context.overload().stopAcceptingConnections()) {
            context.metrics().downstream().count(DownstreamEvent.CX_OVERLOAD_REJECT);
            ch.close();
            return false;
        }
        int max = context.connection().maxConnections();
        if (open.incrementAndGet() > max && max > 0) {
            open.decrementAndGet();
            context.metrics().downstream().count(DownstreamEvent.CX_OVERFLOW);
            ch.close();
            return false;
        }
        context.metrics().onConnectionOpened();
        connections.add(ch);
        ch.closeFuture().addListener(f -> {
            open.decrementAndGet();
            context.metrics().onConnectionClosed();
        });
        return true;
    }

    /** The codec settings for connections accepted now. */
    ServerCodecOptions codecOptions() {
        return state.codecOptions();
    }

    /** The connection manager of a QUIC connection: its peer is {@link QuicChannel#remoteSocketAddress()}. */
    ServerConnectionCallbacks quicConnectionManager(QuicChannel qc) {
        javax.net.ssl.SSLEngine engine = qc.sslEngine();
        String xfcc = null;
        java.security.cert.X509Certificate peer = null;
        if (engine != null && engine.getSession() != null) {
            xfcc = io.outrigger.tls.ClientCertificates.xfcc(engine.getSession());
            peer = io.outrigger.tls.ClientCertificates.peerCertificate(engine.getSession());
        }
        return new HttpConnectionManager(this::context, workers.get(qc.eventLoop()), qc, qc.remoteSocketAddress(),
                qc.localSocketAddress(), xfcc, peer);
    }

    @Override
    protected void initChannel(Channel ch) {
        State st = state;
        DownstreamConnectionConfig connection = st.context().connection();
        if (!admit(ch)) {
            return;
        }
        if (st.tls() != null) {
            ch.pipeline().addLast("sni", new SniHandler(st.tls(), 16 * 1024, TLS_HANDSHAKE_TIMEOUT_MS));
            ch.pipeline().addLast("alpn", new AlpnHandler(this));
            return;
        }
        ChannelPipeline p = ch.pipeline();
        switch (connection.codecType()) {
            case HTTP1 -> {
                addHttp1(p, ch);
                return;
            }
            case HTTP2 -> {
                p.addLast("h2", http2Codec(st));
                return;
            }
            default -> { } // AUTO: below
        }
        Http1ServerCodec codec = http1Codec(st);
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(http2Codec(st)) : null,
                MAX_HEADER_BYTES);
        Http1ServerConnection http1 = new Http1ServerConnection(connectionManagers, st.codecOptions());
        p.addLast("detect", new Http2PriorKnowledgeDetector(() -> {
            p.remove(codec);
            p.remove(upgrade);
            p.remove(http1);
            p.addAfter("detect", "h2", http2Codec(st));
        }));
        p.addLast("http1", codec);
        p.addLast("h2c-upgrade", upgrade);
        p.addLast("hcm", http1);
    }

    /** Adds the HTTP/1.1 codec to a TLS connection whose ALPN chose HTTP/1.1. */
    void addHttp1(ChannelPipeline p, Channel ch) {
        State st = state;
        p.addLast("http1", http1Codec(st));
        p.addLast("hcm", new Http1ServerConnection(connectionManagers, st.codecOptions()));
    }

    /** A TLS handshake failed: counted, logged rate-limited (the connection is closed by the caller). */
    void onHandshakeFailure(Channel ch, Throwable cause) {
        state.context().metrics().downstream().peerError(DownstreamEvent.SSL_CONNECTION_ERROR, ch.remoteAddress(),
                "TLS handshake failed: " + cause);
    }

    private static Http1ServerCodec http1Codec(State st) {
        return new Http1ServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, st.context().connection().requestHeadersTimeout(),
                System::nanoTime);
    }

    /** Adds the HTTP/2 codec to a TLS connection whose ALPN chose h2. */
    void addHttp2(ChannelPipeline p, Channel ch) {
        p.addLast("h2", http2Codec(state));
    }

    private Http2ServerConnection http2Codec(State st) {
        Http2ProtocolOptions h2 = st.context().connection().http2();
        return Http2ServerConnection.create(connectionManagers, st.codecOptions(), Http2Settings.defaultSettings()
                .maxConcurrentStreams(h2.maxConcurrentStreams())
                .initialWindowSize(h2.initialStreamWindowSize())
                .maxHeaderListSize(MAX_HEADER_BYTES)
                .connectProtocolEnabled(true), // RFC 8441: WebSocket over HTTP/2
                h2.initialConnectionWindowSize());
    }
}
