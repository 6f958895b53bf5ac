package io.outrigger.http;

import io.netty.channel.Channel;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.ServerConnectionCallbacks;
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
    private final ListenerContext listener;
    private final Worker worker;
    private final Channel channel;
    private final SocketAddress remoteAddress;
    private final boolean internalPeer;
    private final String clientCertificateDetails;

    /**
     * @param channel the downstream connection (for its address, TLS details and event loop; never written here)
     */
    public HttpConnectionManager(ListenerContext listener, Worker worker, Channel channel) {
        this.listener = listener;
        this.worker = worker;
        this.channel = channel;
        this.remoteAddress = channel.remoteAddress();
        this.internalPeer = listener.internalAddresses().contains(remoteAddress);
        this.clientCertificateDetails = channel.attr(TlsAttributes.XFCC).get();
    }

    @Override
    public RequestDecoder newStream(ResponseEncoder encoder) {
        return new ActiveStream(this, encoder);
    }

    @Override
    public void onRejectedRequest(int status, String reason) {
        AccessLog.logRejected(listener.name(), remoteAddress, status);
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
}
