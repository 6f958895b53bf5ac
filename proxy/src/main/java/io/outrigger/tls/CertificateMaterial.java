package io.outrigger.tls;

import io.outrigger.config.ConfigNode;
import io.outrigger.config.FileRef;
import io.outrigger.config.TlsCertificateConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * A loaded and checked certificate chain with its private key.
 *
 * @param key   the private key
 * @param chain leaf first
 */
public record CertificateMaterial(PrivateKey key, List<X509Certificate> chain) {
    public CertificateMaterial {
        chain = List.copyOf(chain);
    }

    /** Thrown when material cannot be used; names the YAML node to blame. */
    public static final class InvalidMaterialException extends Exception {
        private final transient ConfigNode node;

        InvalidMaterialException(ConfigNode node, String message, Throwable cause) {
            super(message, cause);
            this.node = node;
        }

        /** The YAML value that named the offending file. */
        public ConfigNode node() {
            return node;
        }
    }

    /**
     * Loads the chain and key of {@code config} and checks that the leaf is within its validity period and
     * the key matches it.
     *
     * @throws InvalidMaterialException naming the {@code certificate_chain}, {@code private_key} or
     *                                  {@code private_key_password} node at fault
     */
    public static CertificateMaterial load(TlsCertificateConfig config) throws InvalidMaterialException {
        List<X509Certificate> chain = certificates(config.certificateChain());
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity(new Date());
        } catch (CertificateExpiredException e) {
            throw new InvalidMaterialException(config.certificateChain().node(), "certificate " + config.certificateChain()
                    + " expired on " + leaf.getNotAfter().toInstant(), e);
        } catch (CertificateNotYetValidException e) {
            throw new InvalidMaterialException(config.certificateChain().node(), "certificate " + config.certificateChain()
                    + " is not valid before " + leaf.getNotBefore().toInstant(), e);
        }
        char[] password = null;
        if (config.privateKeyPassword() != null) {
            try {
                password = config.privateKeyPassword().read();
            } catch (IOException e) {
                throw new InvalidMaterialException(config.privateKeyPassword().node(), e.getMessage(), e);
            }
        }
        PrivateKey key;
        try {
            key = PemFiles.privateKey(config.privateKey().path(), password);
        } catch (IOException e) {
            throw new InvalidMaterialException(config.privateKey().node(), message(e), e);
        }
        try {
            PemFiles.checkKeyMatches(key, leaf);
        } catch (GeneralSecurityException e) {
            throw new InvalidMaterialException(config.privateKey().node(), "private key " + config.privateKey()
                    + " does not match certificate " + config.certificateChain(), e);
        }
        return new CertificateMaterial(key, chain);
    }

    /**
     * Loads a CA bundle.
     *
     * @throws InvalidMaterialException naming {@code ref}'s node
     */
    public static List<X509Certificate> certificates(FileRef ref) throws InvalidMaterialException {
        try {
            return PemFiles.certificates(ref.path());
        } catch (IOException e) {
            throw new InvalidMaterialException(ref.node(), message(e), e);
        }
    }

    private static String message(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "cannot read " + e.getMessage() + " (no such file)"
                : e instanceof java.nio.file.AccessDeniedException ? "cannot read " + e.getMessage() + " (permission denied)"
                : e.getMessage();
    }
}
