package io.outrigger.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a server context that asks for no client certificate: it trusts no certificate at all.
 *
 * <p>Why a server needs one: Netty's OpenSSL and QUIC server contexts, given none, build the JDK's default trust
 * manager ({@code TrustManagerFactory.init((KeyStore) null)}), which parses the JDK's whole CA bundle
 * ({@code cacerts}: 146 certificates on this JDK 17) and keeps it for the life of the process, for a check that a
 * server without client authentication never makes (it sends no CertificateRequest, RFC 8446 §4.3.2, so no client
 * certificate arrives). Should one be checked anyway, it is refused: no chain is trusted.
 */
final class NoClientCertificates extends X509ExtendedTrustManager {
    static final NoClientCertificates INSTANCE = new NoClientCertificates();

    private static final X509Certificate[] NONE = new X509Certificate[0];

    private NoClientCertificates() {
    }

    private static CertificateException refused() {
        return new CertificateException("this listener does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw refused();
    }

    /** @return no issuers (an empty array, never {@code null}) */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
