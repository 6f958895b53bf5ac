package io.outrigger.filter;

import java.net.SocketAddress;

/** Read-only facts about the stream a filter runs on. */
public interface StreamInfo {
    /** The downstream peer's address (the client). */
    SocketAddress downstreamRemoteAddress();

    /** The downstream protocol: {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2} or {@code HTTP/3}. */
    String protocol();

    /** The listener's name. */
    String listenerName();

    /** The address the downstream connection came in on (the listener's, with the port it was accepted on), or {@code null}. */
    default SocketAddress downstreamLocalAddress() {
        return null;
    }

    /** The downstream peer's verified TLS client certificate (mTLS), or {@code null} when it presented none. */
    default java.security.cert.X509Certificate downstreamPeerCertificate() {
        return null;
    }

    /**
     * What earlier filters recorded about the stream (Envoy's dynamic metadata): by namespace — a filter's Envoy name,
     * {@code envoy.filters.http.jwt_authn} — a structure of maps, lists, strings, numbers and booleans.
     *
     * @return the namespace's entries, empty when none
     */
    default java.util.Map<String, Object> dynamicMetadata(String namespace) {
        return java.util.Map.of();
    }
}
