package io.outrigger.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.outrigger.config.UpstreamTlsConfig;
import io.outrigger.tls.CertificateMaterial.InvalidMaterialException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * A cluster's client TLS context: verifies upstream servers against its CA bundle (or the JDK's trust
 * store) and, by default, their host name (RFC 6125), sends SNI, and offers a client certificate for mTLS.
 */
public final class ClientTlsContext {
    private final SslContext context;
    private final String sni;

    private ClientTlsContext(SslContext context, String sni) {
        this.context = context;
        this.sni = sni;
    }

    /**
     * The context of a cluster's {@code tls} section, offering by ALPN its {@code alpn_protocols}, or else the
     * cluster's protocol: {@code h2} with {@code http2_protocol_options}, else {@code http/1.1}.
     *
     * @return {@code null} when the cluster has no {@code tls}
     * @throws InvalidMaterialException naming the YAML node of the file at fault
     */
    public static ClientTlsContext forCluster(io.outrigger.config.ClusterConfig cluster) throws InvalidMaterialException {
        UpstreamTlsConfig tls = cluster.tls();
        if (tls == null) {
            return null;
        }
        List<String> alpn = !tls.alpnProtocols().isEmpty() ? tls.alpnProtocols()
                : cluster.http2ProtocolOptions() != null ? List.of("h2") : List.of("http/1.1");
        return build(tls, alpn);
    }

    /**
     * @param alpn the protocols to offer by ALPN, in preference order ({@code h2}, {@code http/1.1})
     * @throws InvalidMaterialException naming the YAML node of the file at fault
     */
    public static ClientTlsContext build(UpstreamTlsConfig config, List<String> alpn) throws InvalidMaterialException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .keyStoreType(CertificateMaterial.IN_MEMORY_KEY_STORE)
                .sslProvider(TlsProviders.provider())
                .protocols(TlsProviders.PROTOCOLS)
                .ciphers(TlsProviders.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (config.trustedCa() != null) {
            b.trustManager(CertificateMaterial.certificates(config.trustedCa()).toArray(new X509Certificate[0]));
        }
        if (config.clientCertificate() != null) {
            CertificateMaterial m = CertificateMaterial.load(config.clientCertificate());
            b.keyManager(m.key(), m.chain().toArray(new X509Certificate[0]));
        }
        try {
            return new ClientTlsContext(b.build(), config.sni());
        } catch (SSLException | RuntimeException e) {
            throw new InvalidMaterialException(config.trustedCa() != null ? config.trustedCa().node()
                    : config.clientCertificate().certificateChain().node(), "cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A handler for one upstream connection; it goes first in the connection's pipeline.
     *
     * @param hostname the endpoint's host as configured (used for SNI and verification unless {@code sni} is set)
     * @param port     the endpoint's port
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String hostname, int port) {
        // Netty sends SNI only for host names: an IP literal gets none (RFC 6066 §3) and is verified
        // against the certificate's IP SANs.
        return context.newHandler(alloc, sni != null ? sni : hostname, port);
    }
}
