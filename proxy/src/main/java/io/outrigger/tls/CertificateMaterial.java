package io.outrigger.tls;

import io.outrigger.config.ConfigNode;
import io.outrigger.config.FileRef;
import io.outrigger.config.TlsCertificateConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A loaded and checked certificate chain with its private key.
 *
 * @param key   the private key
 * @param chain leaf first
 */
public record CertificateMaterial(PrivateKey key, List<X509Certificate> chain) {
    /**
     * The type of the in-memory key store through which Netty's contexts take a key ({@code SslContextBuilder
     * .keyStoreType}): JKS, not the JDK's default PKCS#12, whose key entries are encrypted and decrypted again with
     * 10,000 PBE iterations on every context built — 30–80 ms per context here (measured: a server context built
     * in 118–154 ms first and 16–29 ms after with JKS, 198–235 and 46–54 ms with PKCS#12), at start and on every
     * certificate rotation. The store never leaves the process, so its protection scheme does not matter.
     */
    public static final String IN_MEMORY_KEY_STORE = "JKS";

    public CertificateMaterial {
        chain = List.copyOf(chain);
    }

    /**
     * A key manager factory over this key and chain (one entry), for builders that take no key store type (QUIC's).
     *
     * @throws GeneralSecurityException when the key store or the factory cannot be made or refuse the key
     */
    public KeyManagerFactory keyManagerFactory() throws GeneralSecurityException {
        char[] none = new char[0];
        KeyStore ks = KeyStore.getInstance(IN_MEMORY_KEY_STORE);
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        ks.setKeyEntry("key", key, none, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        return kmf;
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
