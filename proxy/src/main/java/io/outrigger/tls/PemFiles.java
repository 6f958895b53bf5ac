package io.outrigger.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads PEM certificates and private keys with Bouncy Castle: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA
 * ({@code RSA PRIVATE KEY}), SEC1 EC ({@code EC PRIVATE KEY}), password-encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}, RFC 5958) and legacy OpenSSL-encrypted PKCS#1/SEC1 keys.
 */
public final class PemFiles {
    /**
     * Bouncy Castle's provider, made on first use (decrypting a key): constructing it loads ~500 classes (a few MiB
     * of metaspace, ~100 ms) that a proxy with plain keys never needs. Not registered globally, so the JDK's providers
     * stay in charge elsewhere.
     */
    private static final class Bc {
        static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
    }

    private PemFiles() {
    }

    /**
     * Reads every certificate of a PEM file, in file order (leaf first for a chain).
     *
     * @throws IOException when the file is unreadable or holds no certificate
     */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(converter.getCertificate(h));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("invalid certificate in " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException("no PEM certificate in " + file);
        }
        return out;
    }

    /**
     * Reads the private key of a PEM file.
     *
     * @param password for an encrypted key; {@code null} when the key is not encrypted
     * @throws IOException when unreadable, not a key, encrypted without a password, or the password is wrong
     */
    public static PrivateKey privateKey(Path file, char[] password) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // PKCS#1 RSA or SEC1 EC; SEC1 may omit the public key, so convert only the private part
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    requirePassword(file, password);
                    return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(password)));
                }
                if (o instanceof PEMEncryptedKeyPair encrypted) {
                    requirePassword(file, password);
                    return converter.getPrivateKey(encrypted.decryptKeyPair(
                            new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(password)).getPrivateKeyInfo());
                }
                // e.g. "EC PARAMETERS" before an EC key: skip
            }
        } catch (PKCSException | OperatorCreationException e) {
            throw new IOException("cannot decrypt the private key in " + file + " (wrong password?)", e);
        } catch (org.bouncycastle.openssl.EncryptionException e) {
            throw new IOException("cannot decrypt the private key in " + file + " (wrong password?)", e);
        }
        throw new IOException("no PEM private key in " + file);
    }

    private static void requirePassword(Path file, char[] password) throws IOException {
        if (password == null) {
            throw new IOException("the private key in " + file + " is encrypted (expected: private_key_password)");
        }
    }

    /**
     * Checks that {@code key} belongs to {@code certificate}: signs a probe with the key and verifies it with
     * the certificate's public key.
     *
     * @throws GeneralSecurityException when they do not match
     */
    public static void checkKeyMatches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm());
        };
        byte[] probe = "outrigger key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key does not match the certificate");
        }
    }
}
