package io.outrigger.tls;

import io.netty.util.AttributeKey;

/** Facts about a downstream TLS connection, attached to its channel after the handshake. */
public final class TlsAttributes {
    /** The {@code x-forwarded-client-cert} value for the connection's verified client certificate. */
    public static final AttributeKey<String> XFCC = AttributeKey.valueOf("outrigger.xfcc");
    /** The connection's verified client certificate (mTLS), for filters (the {@code rbac} filter's principals). */
    public static final AttributeKey<java.security.cert.X509Certificate> PEER_CERTIFICATE =
            AttributeKey.valueOf("outrigger.peer_certificate");

    private TlsAttributes() {
    }
}
