package io.outrigger.tls;

import io.outrigger.config.SanMatcher;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies client certificates against a CA bundle (PKIX, as the JDK does) and then requires a subject
 * alternative name from an allow-list, so a client with a good chain but a foreign identity fails the
 * TLS handshake itself and never reaches HTTP (Envoy's {@code match_subject_alt_names}).
 */
final class SanCheckingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final List<SanMatcher> allowed;

    SanCheckingTrustManager(List<X509Certificate> trusted, List<SanMatcher> allowed) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < trusted.size(); i++) {
            ks.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509ExtendedTrustManager found = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                found = x;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("no X509 trust manager");
        }
        this.pkix = found;
        this.allowed = List.copyOf(allowed);
    }

    private void checkSan(X509Certificate[] chain) throws CertificateException {
        if (!allowed.isEmpty() && !ClientCertificates.allowed(chain[0], allowed)) {
            throw new CertificateException("client certificate subject alternative names are not allowed: "
                    + chain[0].getSubjectX500Principal());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
        checkSan(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        checkSan(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
        checkSan(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("server-side trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("server-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
