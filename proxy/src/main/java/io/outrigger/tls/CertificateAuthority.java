package io.outrigger.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A local certificate authority for development and tests, built with Bouncy Castle (like mkcert): an
 * ECDSA P-256 CA, and leaf certificates it signs for DNS names, URIs (SPIFFE IDs) and IP addresses,
 * usable by servers and clients (RFC 5280 profile). Keys are written as PKCS#8 PEM readable only by the
 * owner (0600).
 *
 * @param certificate the CA certificate
 * @param key         the CA's private key
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new CA named {@code commonName}, valid for {@code validity} from now. */
    public static CertificateAuthority create(String commonName, Duration validity) throws GeneralSecurityException {
        KeyPair kp = newKeyPair();
        X500Name name = new X500Name("CN=" + escape(commonName) + ",O=Outrigger development CA");
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), name, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate());
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create the CA: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a leaf certificate for server and client authentication.
     *
     * @param dns  DNS names (the first is also the subject CN)
     * @param uris URIs such as {@code spiffe://shop/catalog}
     * @param ips  IP addresses
     * @param notBefore start of validity; {@code notAfter} its end (tests may pass an expired window)
     */
    public Issued issue(List<String> dns, List<String> uris, List<String> ips, Instant notBefore, Instant notAfter)
            throws GeneralSecurityException {
        if (dns.isEmpty() && uris.isEmpty() && ips.isEmpty()) {
            throw new GeneralSecurityException("a certificate needs at least one --dns, --uri or --ip name");
        }
        KeyPair kp = newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        uris.forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
        for (String ip : ips) {
            try {
                names.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
            } catch (IOException e) {
                throw new GeneralSecurityException("not an IP address: " + ip, e);
            }
        }
        String cn = !dns.isEmpty() ? dns.get(0) : !uris.isEmpty() ? uris.get(0) : ips.get(0);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(notBefore),
                    Date.from(notAfter), new X500Name("CN=" + escape(cn) + ",O=Outrigger development"), kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new Issued(sign(b, key), kp.getPrivate());
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot issue the certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A certificate issued by this CA, with its key.
     *
     * @param certificate the leaf
     * @param key         its private key
     */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        /** Writes {@code NAME.crt} and {@code NAME.key} (0600) into {@code dir}. */
        public void write(Path dir, String name) throws IOException {
            writePem(dir.resolve(name + ".crt"), certificate, false);
            writePem(dir.resolve(name + ".key"), key, true);
        }
    }

    /** Writes {@code ca.crt} and {@code ca.key} (0600) into {@code dir}, creating it. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writePem(dir.resolve(CA_CERT), certificate, false);
        writePem(dir.resolve(CA_KEY), key, true);
    }

    /** Reads a CA written by {@link #write(Path)}. */
    public static CertificateAuthority read(Path dir) throws IOException {
        return new CertificateAuthority(PemFiles.certificates(dir.resolve(CA_CERT)).get(0),
                PemFiles.privateKey(dir.resolve(CA_KEY), null));
    }

    /** PEM text of a certificate, or of a private key as unencrypted PKCS#8 ({@code PRIVATE KEY}). */
    public static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            if (o instanceof PrivateKey k) {
                w.writeObject(new JcaPKCS8Generator(k, null));
            } else {
                w.writeObject(o);
            }
        }
        return sw.toString();
    }

    private static void writePem(Path file, Object o, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(pem(o));
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static String escape(String rdnValue) {
        return rdnValue.replaceAll("([,+=\"\\\\<>;#])", "\\\\$1");
    }
}
