package io.outrigger.config;

import java.util.List;

/**
 * A listener's {@code tls:} section: the listener serves HTTPS (TLS 1.2 and 1.3 only).
 *
 * @param certificates             at least one; selected by SNI, the first is the default
 * @param alpnProtocols            offered by ALPN, in preference order; default {@code [h2, http/1.1]}
 * @param requireClientCertificate mTLS: refuse clients without a certificate signed by {@code trustedCa}
 * @param trustedCa                PEM CA bundle for client certificates ({@code validation.trusted_ca}),
 *                                 required with {@code require_client_certificate}; else {@code null}
 * @param matchSubjectAltNames     when not empty, a client certificate must have a SAN matching one of these
 * @param node                     the section, for errors found when certificates are loaded
 */
public record DownstreamTlsConfig(List<TlsCertificateConfig> certificates, List<String> alpnProtocols,
                                  boolean requireClientCertificate, FileRef trustedCa,
                                  List<SanMatcher> matchSubjectAltNames, ConfigNode node) {
    public static final List<String> DEFAULT_ALPN = List.of("h2", "http/1.1");

    public DownstreamTlsConfig {
        certificates = List.copyOf(certificates);
        alpnProtocols = List.copyOf(alpnProtocols);
        matchSubjectAltNames = List.copyOf(matchSubjectAltNames);
    }
}
