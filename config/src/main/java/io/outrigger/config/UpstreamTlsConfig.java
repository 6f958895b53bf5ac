package io.outrigger.config;

/**
 * A cluster's {@code tls:} section: connect to its endpoints over TLS (1.2 or 1.3), verifying them.
 *
 * @param sni               the server name sent and verified; default: the endpoint's host as configured
 *                          (no SNI for an IP address, which is then verified against the certificate's IP SANs)
 * @param trustedCa         PEM CA bundle to verify the server with; {@code null}: the JDK's trust store
 * @param verifyHostname    check that the certificate names the host (RFC 6125); default {@code true}
 * @param clientCertificate a client certificate and key for mTLS, or {@code null}
 */
public record UpstreamTlsConfig(String sni, FileRef trustedCa, boolean verifyHostname,
                                TlsCertificateConfig clientCertificate) {
}
