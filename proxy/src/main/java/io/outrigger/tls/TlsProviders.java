package io.outrigger.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the TLS implementation: Netty's OpenSSL binding (BoringSSL from {@code netty-tcnative-boringssl-static})
 * when it loads, else the JDK's. {@code -Doutrigger.tls.provider=jdk} forces the JDK provider.
 */
public final class TlsProviders {
    private static final Logger log = LoggerFactory.getLogger(TlsProviders.class);
    /** TLS 1.2 and 1.3 only. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /**
     * Mozilla's "intermediate" TLS 1.2 suites (server-side-tls guidelines v5.7) minus the DHE ones, which
     * BoringSSL does not implement; TLS 1.3 suites are all AEAD and fixed by the library.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static volatile boolean logged;

    private TlsProviders() {
    }

    /** The provider to use; logs the choice once. */
    public static SslProvider provider() {
        boolean forceJdk = "jdk".equalsIgnoreCase(System.getProperty("outrigger.tls.provider"));
        SslProvider p = !forceJdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        if (!logged) {
            logged = true;
            if (p == SslProvider.OPENSSL) {
                log.info("TLS provider: OpenSSL binding ({})", OpenSsl.versionString());
            } else {
                log.info("TLS provider: JDK{}", forceJdk ? " (forced)" : " (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")");
            }
        }
        return p;
    }
}
