package io.outrigger.config;

import java.util.List;

/**
 * One certificate a listener serves ({@code tls.certificates[]}), or a client certificate of a cluster.
 *
 * @param certificateChain   PEM certificate chain, leaf first
 * @param privateKey         PEM private key: PKCS#8, PKCS#1 RSA, SEC1 EC, or password-encrypted PKCS#8
 * @param privateKeyPassword where the password of an encrypted key comes from, or {@code null}
 * @param serverNames        SNI names this certificate serves (exact or {@code *.suffix}); the first
 *                           certificate is also the default for clients that send no or an unknown name
 */
public record TlsCertificateConfig(FileRef certificateChain, FileRef privateKey, PasswordSource privateKeyPassword,
                                   List<String> serverNames) {
    public TlsCertificateConfig {
        serverNames = List.copyOf(serverNames);
    }
}
