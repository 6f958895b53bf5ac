package io.outrigger.config;

/**
 * A cluster's {@code tls:} section: connect to its endpoints over TLS (1.2 or 1.3), verifying them.
 *
 * @param sni               the server name sent and verified; default: the endpoint's host as configured
 *                          (no SNI for an IP address, which is then verified against the certificate's IP SANs)
 * @param trustedCa         PEM CA bundle to verify the server with; {@code null}: the JDK's trust store
 * @param verifyHostname    check that the certificate names the host (RFC 6125); default {@code true}
 * @param clientCertificate a client certificate and key for mTLS, or {@code null}
 * @param alpnProtocols     protocols offered by ALPN, in preference order ({@code h2}, {@code http/1.1}); empty: by
 *                          the cluster's protocol ({@code h2} with {@code http2_protocol_options}, else {@code http/1.1})
 */
public record UpstreamTlsConfig(String sni, FileRef trustedCa, boolean verifyHostname,
                                TlsCertificateConfig clientCertificate, java.util.List<String> alpnProtocols) {
    public UpstreamTlsConfig {
        alpnProtocols = java.util.List.copyOf(alpnProtocols);
    }
}
