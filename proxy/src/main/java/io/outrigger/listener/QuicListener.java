package io.outrigger.listener;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicCodecDispatcher;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.outrigger.codec.http3.Http3ServerConnection;
import io.outrigger.config.Http3Config;
import io.outrigger.stats.DownstreamEvent;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/3 side of a TLS listener: UDP sockets on the listener's port number running Netty's QUIC codec (quiche),
 * each QUIC connection with an {@link Http3ServerConnection}. With epoll (or io_uring), one socket per worker event
 * loop bound with {@code SO_REUSEPORT}: the kernel spreads new connections over the workers by their 4-tuple, and a
 * connection's later packets find their worker by the socket index Netty's {@link QuicCodecDispatcher} encodes in every
 * connection id the server issues — so a client that changes address (NAT rebinding, RFC 9000 §9) stays on its worker.
 * With NIO, one socket on one worker. Connections are admitted like TCP ones ({@link ListenerInitializer#admit}: overload,
 * {@code max_connections}, drain); new ones prove their address with a Retry when {@link RetryTokens} says so.
 */
public final class QuicListener {
    private static final Logger log = LoggerFactory.getLogger(QuicListener.class);
    /** The largest UDP payload accepted (RFC 9000 §18.2's maximum). */
    private static final int MAX_RECV_UDP_PAYLOAD = 65_527;

    private final List<Channel> sockets;
    private final AtomicInteger pendingHandshakes;

    private QuicListener(List<Channel> sockets, AtomicInteger pendingHandshakes) {
        this.sockets = sockets;
        this.pendingHandshakes = pendingHandshakes;
    }

    /**
     * Binds the UDP sockets.
     *
     * @param loops        the worker event loops (one socket each with {@code reusePort}, else the first only)
     * @param channelClass the transport's datagram channel
     * @param reusePort    the transport's {@code SO_REUSEPORT} option, or {@code null} when it has none (NIO)
     * @throws IllegalStateException when the QUIC native library does not load on this platform
     * @throws InterruptedException  while binding
     */
    public static QuicListener bind(String name, String host, int port, Http3Config config, ListenerInitializer init,
                                    List<EventLoop> loops, Class<? extends DatagramChannel> channelClass,
                                    io.netty.channel.ChannelOption<Boolean> reusePort)
            throws InterruptedException {
        if (!Quic.isAvailable()) {
            throw new IllegalStateException("listener '" + name + "': http3 needs Netty's QUIC native library, which did not"
                    + " load here: " + Quic.unavailabilityCause());
        }
        AtomicInteger pending = new AtomicInteger();
        RetryTokens tokens = new RetryTokens(config, pending::get, System::currentTimeMillis, new SecureRandom(),
                () -> init.context().metrics().downstream().count(DownstreamEvent.HTTP3_RETRY_SENT));
        QuicCodecDispatcher dispatcher = new QuicCodecDispatcher() {
            @Override
            protected void initChannel(Channel ch, int localConnectionIdLength, QuicConnectionIdGenerator idGenerator) {
                ch.pipeline().addLast(Http3.newQuicServerCodecBuilder()
                        .sslEngineProvider(qc -> init.tls().newQuicEngine(qc))
                        .maxIdleTimeout(config.idleNetworkTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .maxSendUdpPayloadSize(config.maxPacketLength())
                        .maxRecvUdpPayloadSize(MAX_RECV_UDP_PAYLOAD)
                        .initialMaxData(config.initialConnectionWindowSize())
                        .initialMaxStreamDataBidirectionalRemote(config.initialStreamWindowSize())
                        .initialMaxStreamDataBidirectionalLocal(config.initialStreamWindowSize())
                        .initialMaxStreamsBidirectional(config.maxConcurrentStreams())
                        .localConnectionIdLength(localConnectionIdLength)
                        .connectionIdAddressGenerator(idGenerator)
                        .tokenHandler(tokens)
                        .handler(connectionInitializer(init, pending))
                        .build());
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        log.debug("QUIC socket {}: {}", ctx.channel(), cause.toString()); // a bad datagram: dropped
                    }
                });
            }
        };
        List<EventLoop> used = reusePort != null ? loops : loops.subList(0, 1);
        List<Channel> sockets = new ArrayList<>();
        try {
            for (EventLoop loop : used) {
                Bootstrap b = new Bootstrap().group(loop).channel(channelClass).handler(dispatcher);
                if (reusePort != null) {
                    b.option(reusePort, true);
                }
                sockets.add(b.bind(host, port).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            sockets.forEach(Channel::close);
            throw e;
        }
        log.info("listener '{}' HTTP/3 on UDP {}:{} ({} socket(s){})", name, host, port, sockets.size(),
                reusePort != null ? ", SO_REUSEPORT" : "");
        return new QuicListener(List.copyOf(sockets), pending);
    }

    private static ChannelInitializer<QuicChannel> connectionInitializer(ListenerInitializer init, AtomicInteger pending) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(QuicChannel qc) {
                if (!init.admit(qc)) {
                    return;
                }
                pending.incrementAndGet();
                init.context().metrics().downstream().count(DownstreamEvent.HTTP3_CX_TOTAL);
                Http3ServerConnection connection = new Http3ServerConnection(init::quicConnectionManager, init.codecOptions());
                qc.pipeline().addLast(new HandshakeTracker(pending, init), connection,
                        connection.http3Handler(ListenerInitializer.MAX_HEADER_BYTES));
            }
        };
    }

    /**
     * Counts the listener's unfinished handshakes (what {@code under_load} address validation looks at), counts failed
     * ones, and closes a connection whose handshake is not done within {@link ListenerInitializer#TLS_HANDSHAKE_TIMEOUT_MS}
     * (QUIC's own idle timeout would keep a silent half-open connection for minutes).
     */
    private static final class HandshakeTracker extends ChannelInboundHandlerAdapter {
        private final AtomicInteger pending;
        private final ListenerInitializer init;
        private boolean counted = true;

        HandshakeTracker(AtomicInteger pending, ListenerInitializer init) {
            this.pending = pending;
            this.init = init;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.executor().schedule(() -> {
                if (counted) {
                    init.context().metrics().downstream().count(DownstreamEvent.HTTP3_HANDSHAKE_TIMEOUT);
                    ctx.channel().close();
                }
            }, ListenerInitializer.TLS_HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent) {
                done(); // a failure also reaches exceptionCaught, where it is counted
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done();
            ctx.fireChannelInactive();
        }

        /** What the connection's handlers did not handle: a failed handshake (counted, logged rate-limited), or else. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Object peer = ((QuicChannel) ctx.channel()).remoteSocketAddress();
            if (cause instanceof javax.net.ssl.SSLException) {
                init.context().metrics().downstream().peerError(DownstreamEvent.SSL_CONNECTION_ERROR, peer,
                        "QUIC TLS handshake failed: " + cause.getMessage());
            } else {
                log.debug("QUIC connection from {} failed: {}", peer, cause.toString());
            }
            ctx.close();
        }

        private void done() {
            if (counted) {
                counted = false;
                pending.decrementAndGet();
            }
        }
    }

    /** The bound address (every socket shares it). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    /** Whether every socket is open. */
    public boolean isActive() {
        return sockets.stream().allMatch(Channel::isActive);
    }

    /** Handshakes begun and not finished now. */
    public int pendingHandshakes() {
        return pendingHandshakes.get();
    }

    /** Closes the sockets: every QUIC connection on them ends at once (drain first). */
    public void close() {
        for (Channel ch : sockets) {
            ch.close().syncUninterruptibly();
        }
    }
}
