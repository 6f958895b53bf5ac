package io.outrigger.xds;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.outrigger.config.UpstreamTlsConfig;
import io.outrigger.tls.CertificateMaterial;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/** gRPC channels to the control plane: HTTP/2 in cleartext, or TLS / mTLS by the ADS cluster's {@code tls}. */
final class ControlPlaneChannels {
    private ControlPlaneChannels() {
    }

    /**
     * @param tls the ADS cluster's {@code tls}, or {@code null} for h2c
     * @throws CertificateMaterial.InvalidMaterialException when its CA or client certificate cannot be used
     * @throws javax.net.ssl.SSLException when the TLS context cannot be built
     */
    static ManagedChannel open(InetSocketAddress address, UpstreamTlsConfig tls) throws Exception {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(address).keepAliveTime(30, TimeUnit.SECONDS);
        if (tls == null) {
            return b.usePlaintext().build();
        }
        b.sslContext(sslContext(tls));
        if (tls.sni() != null) {
            b.overrideAuthority(tls.sni()); // the name the control plane's certificate is checked against
        }
        return b.build();
    }

    /**
     * The ADS cluster's {@code tls} for gRPC's Netty transport (the proxy's Netty): its CA (else the JDK's trust store), its client
     * certificate for mTLS, loaded with the same checks as every other certificate. Read at each connect, so rotated
     * files are picked up by the next stream.
     */
    private static SslContext sslContext(UpstreamTlsConfig tls) throws Exception {
        var b = GrpcSslContexts.forClient().keyStoreType(CertificateMaterial.IN_MEMORY_KEY_STORE);
        if (tls.trustedCa() != null) {
            b.trustManager(CertificateMaterial.certificates(tls.trustedCa()).toArray(new X509Certificate[0]));
        }
        if (tls.clientCertificate() != null) {
            CertificateMaterial m = CertificateMaterial.load(tls.clientCertificate());
            b.keyManager(m.key(), m.chain().toArray(new X509Certificate[0]));
        }
        return b.build();
    }
}
