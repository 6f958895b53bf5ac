package io.outrigger.http;

import io.netty.channel.Channel;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ProtocolError;
import io.outrigger.codec.ServerConnectionCallbacks;
import io.outrigger.stats.DownstreamEvent;
import io.outrigger.tls.TlsAttributes;
import io.outrigger.worker.Worker;
import java.net.SocketAddress;

/**
 * Envoy's HTTP connection manager: one per downstream connection, whatever its protocol. A server codec
 * ({@code codec/http1}, {@code codec/http2}) owns the socket and calls {@link #newStream} per request; each
 * stream is an {@link ActiveStream} that runs the listener's filters and the router. Nothing here knows the
 * protocol. Confined to the connection's event loop.
 */
public final class HttpConnectionManager implements ServerConnectionCallbacks {
    private final java.util.function.Supplier<ListenerContext> listener;
    private final Worker worker;
    private final Channel channel;
    private final SocketAddress remoteAddress;
    /** The peer's IP as text, made once per connection for every request's {@code x-forwarded-for}, or {@code null}. */
    private final String remoteIp;
    private final SocketAddress localAddress;
    private final java.security.cert.X509Certificate peerCertificate;
    private final boolean internalPeer;
    private final String clientCertificateDetails;

    /**
     * @param listener the listener's current settings, read once per stream (a reload changes them for the streams
     *                 that begin after it, on connections already open too)
     * @param channel  the downstream connection (for its address, TLS details and event loop; never written here)
     */
    public HttpConnectionManager(java.util.function.Supplier<ListenerContext> listener, Worker worker, Channel channel) {
        this(listener, worker, channel, channel.remoteAddress(), channel.localAddress(), attribute(channel, TlsAttributes.XFCC),
                attribute(channel, TlsAttributes.PEER_CERTIFICATE));
    }

    /** A channel attribute's value, or {@code null}; {@code attr(key)} alone would add an empty attribute (48 B). */
    private static <T> T attribute(Channel channel, io.netty.util.AttributeKey<T> key) {
        return channel.hasAttr(key) ? channel.attr(key).get() : null;
    }

    /**
     * @param channel                  the downstream connection (for its allocator and event loop; never written here)
     * @param remoteAddress            the peer's address (a QUIC connection's channel address is not the peer's)
     * @param localAddress             the address the connection came in on
     * @param clientCertificateDetails the {@code x-forwarded-client-cert} value of the verified client, or {@code null}
     * @param peerCertificate          the verified client certificate, or {@code null}
     */
    public HttpConnectionManager(java.util.function.Supplier<ListenerContext> listener, Worker worker, Channel channel,
                                 SocketAddress remoteAddress, SocketAddress localAddress, String clientCertificateDetails,
                                 java.security.cert.X509Certificate peerCertificate) {
        this.listener = listener;
        this.worker = worker;
        this.channel = channel;
        this.remoteAddress = remoteAddress;
        this.remoteIp = remoteAddress instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : null;
        this.localAddress = localAddress;
        this.peerCertificate = peerCertificate;
        this.internalPeer = listener.get().internalAddresses().contains(remoteAddress);
        this.clientCertificateDetails = clientCertificateDetails;
    }

    @Override
    public RequestDecoder newStream(ResponseEncoder encoder) {
        return new ActiveStream(this, encoder);
    }

    @Override
    public void onRejectedRequest(int status, String reason) {
        AccessLog.logRejected(listener.get().name(), remoteAddress, status);
    }

    @Override
    public void onProtocolError(ProtocolError kind, String detail) {
        DownstreamEvent event = switch (kind) {
            case HTTP1_MALFORMED_REQUEST, HTTP2_CONNECTION_ERROR -> DownstreamEvent.CX_PROTOCOL_ERROR;
            case REQUEST_HEADERS_TIMEOUT -> DownstreamEvent.RQ_HEADER_TIMEOUT;
            case HTTP2_STREAM_ERROR -> DownstreamEvent.RQ_PROTOCOL_ERROR;
        };
        listener.get().metrics().downstream().peerError(event, remoteAddress, detail);
    }

    @Override
    public void onRemoteReset() {
        listener.get().metrics().downstream().count(DownstreamEvent.RQ_RX_RESET);
    }

    @Override
    public void onConnectionDrained(DrainReason reason) {
        listener.get().metrics().downstream().count(switch (reason) {
            case OVERLOAD -> DownstreamEvent.CX_OVERLOAD_DISABLE_KEEPALIVE;
            case MAX_REQUESTS_PER_CONNECTION -> DownstreamEvent.CX_MAX_REQUESTS_REACHED;
            case LISTENER_DRAIN -> DownstreamEvent.CX_DRAIN_CLOSE;
        });
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
        return listener.get();
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

    /** The peer's IP as text ({@code 10.1.2.3}, {@code 2001:db8::1}), or {@code null} for a non-IP peer. */
    String remoteIp() {
        return remoteIp;
    }

    SocketAddress localAddress() {
        return localAddress;
    }

    java.security.cert.X509Certificate peerCertificate() {
        return peerCertificate;
    }
}
