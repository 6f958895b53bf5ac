package io.outrigger.tls;

import io.outrigger.config.SanMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** Subject alternative names of a certificate, the SAN allow-list check, and Envoy's XFCC header value. */
public final class ClientCertificates {
    /** RFC 5280 §4.2.1.6 GeneralName tags. */
    static final int DNS = 2;
    static final int URI = 6;
    static final int IP = 7;

    private ClientCertificates() {
    }

    /** The SAN values of one {@code type} ({@link #DNS}, {@link #URI}, {@link #IP}), in certificate order. */
    static List<String> sans(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> san : all) {
                    if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return out;
    }

    /** Whether any DNS, URI or IP SAN of {@code cert} satisfies one of {@code allowed}. */
    public static boolean allowed(X509Certificate cert, List<SanMatcher> allowed) {
        for (int type : new int[] {DNS, URI, IP}) {
            for (String san : sans(cert, type)) {
                for (SanMatcher m : allowed) {
                    if (m.matches(san)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The {@code x-forwarded-client-cert} value for a verified client certificate, in Envoy's format:
     * {@code By=<proxy's URI SAN>;Hash=<hex SHA-256 of the client certificate DER>;URI=<uri>;DNS=<dns>...}.
     * {@code By} is left out when the proxy's certificate has no URI SAN.
     *
     * @param serverUriSan the proxy's own certificate's first URI SAN, or {@code null}
     */
    public static String xfcc(X509Certificate client, String serverUriSan) {
        StringBuilder sb = new StringBuilder();
        if (serverUriSan != null) {
            sb.append("By=").append(serverUriSan).append(';');
        }
        sb.append("Hash=").append(sha256Hex(client));
        for (String uri : sans(client, URI)) {
            sb.append(";URI=").append(uri);
        }
        for (String dns : sans(client, DNS)) {
            sb.append(";DNS=").append(dns);
        }
        return sb.toString();
    }

    /** The first URI SAN of {@code cert}, or {@code null}. */
    public static String firstUri(X509Certificate cert) {
        List<String> uris = sans(cert, URI);
        return uris.isEmpty() ? null : uris.get(0);
    }

    private static String sha256Hex(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A handshake's verified client certificate, or {@code null} when the client presented none. */
    public static X509Certificate peerCertificate(javax.net.ssl.SSLSession session) {
        try {
            java.security.cert.Certificate[] peer = session.getPeerCertificates();
            return peer.length > 0 && peer[0] instanceof X509Certificate client ? client : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * The {@code x-forwarded-client-cert} value of a handshake's verified client certificate.
     *
     * @return {@code null} when the client presented none
     */
    public static String xfcc(javax.net.ssl.SSLSession session) {
        try {
            java.security.cert.Certificate[] peer = session.getPeerCertificates();
            java.security.cert.Certificate[] local = session.getLocalCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate client) {
                String by = local != null && local.length > 0 && local[0] instanceof X509Certificate own ? firstUri(own) : null;
                return xfcc(client, by);
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // no client certificate (mTLS not required): nothing to forward
        }
        return null;
    }
}
