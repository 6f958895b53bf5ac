package io.outrigger.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.SanMatcher;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
    static final org.bouncycastle.jce.provider.BouncyCastleProvider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static CertificateAuthority.Issued leaf;

    @BeforeAll
    static void issue() throws Exception {
        TestPki pki = TestPki.issue(dir);
        ca = pki.ca();
        leaf = pki.leaf();
    }

    static String pem(Object o) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    @Test
    void writesKeysOwnerOnlyAsPkcs8AndReadsThemBack() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("leaf.key")))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("leaf.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        PrivateKey key = PemFiles.privateKey(dir.resolve("leaf.key"), null);
        X509Certificate cert = PemFiles.certificates(dir.resolve("leaf.crt")).get(0);
        PemFiles.checkKeyMatches(key, cert);
        assertThat(CertificateAuthority.read(dir).certificate()).isEqualTo(ca.certificate());
    }

    @Test
    void readsPkcs1RsaSec1EcAndEncryptedPkcs8() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), pem(rsaPair)); // JcaPEMWriter: "RSA PRIVATE KEY"
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(PemFiles.privateKey(pkcs1, null)).isEqualTo(rsaPair.getPrivate());

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair ecPair = ec.generateKeyPair();
        // SEC1 as openssl writes it: the curve inside the structure, no public key
        org.bouncycastle.asn1.sec.ECPrivateKey sec1Key = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                ((java.security.interfaces.ECPrivateKey) ecPair.getPrivate()).getS(),
                new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1));
        Path sec1 = Files.writeString(dir.resolve("ec.key"), pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY",
                sec1Key.getEncoded())));
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(((java.security.interfaces.ECPrivateKey) PemFiles.privateKey(sec1, null)).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) ecPair.getPrivate()).getS());

        Path encrypted = Files.writeString(dir.resolve("enc.key"), pem(new JcaPKCS8Generator(ecPair.getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(BC).setPassword("s3cret".toCharArray()).build())));
        assertThat(Files.readString(encrypted)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(((java.security.interfaces.ECPrivateKey) PemFiles.privateKey(encrypted, "s3cret".toCharArray())).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) ecPair.getPrivate()).getS());
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted, "wrong".toCharArray())).hasMessageContaining("wrong password");
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted, null)).hasMessageContaining("is encrypted");
    }

    @Test
    void badFilesAreConfigErrorsAtTheirKeys() throws Exception {
        Instant now = Instant.now();
        ca.issue(List.of("old"), List.of(), List.of(), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)))
                .write(dir, "expired");
        Files.writeString(dir.resolve("pw.txt"), "nope\n");
        Files.writeString(dir.resolve("enc2.key"), pem(new JcaPKCS8Generator(leaf.key(),
                new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(BC).setPassword("right".toCharArray()).build())));
        String yaml = """
                listeners:
                  - name: a
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - { certificate_chain: D/expired.crt, private_key: D/expired.key }
                    virtual_hosts: []
                  - name: b
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - { certificate_chain: D/leaf.crt, private_key: D/ca.key }
                    virtual_hosts: []
                  - name: c
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - { certificate_chain: D/missing.crt, private_key: D/leaf.key }
                    virtual_hosts: []
                  - name: d
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - { certificate_chain: D/leaf.crt, private_key: D/enc2.key, private_key_password: { filename: D/pw.txt } }
                    virtual_hosts: []
                clusters:
                  - { name: x, endpoints: [ 10.0.0.1:443 ], tls: { trusted_ca: D/nope.crt } }
                """.replace("D/", dir + "/");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> new ConfigLoader(n -> null).load("t.yaml", yaml, TlsValidation::check));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertThat(errors).hasSize(5);
        assertThat(errors.get(0)).startsWith("t.yaml:6:32: listeners[0].tls.certificates[0].certificate_chain: certificate")
                .contains("expired on");
        assertThat(errors.get(1)).startsWith("t.yaml:12:").contains("listeners[1].tls.certificates[0].private_key: private key")
                .contains("does not match certificate");
        assertThat(errors.get(2)).startsWith("t.yaml:18:32: listeners[2].tls.certificates[0].certificate_chain: cannot read")
                .contains("no such file");
        assertThat(errors.get(3)).contains("listeners[3].tls.certificates[0].private_key: cannot decrypt");
        assertThat(errors.get(4)).contains("clusters[0].tls.trusted_ca: cannot read");
    }

    @Test
    void keyManagerFactoryServesTheKeyAndChain() throws Exception {
        CertificateMaterial m = new CertificateMaterial(leaf.key(), List.of(leaf.certificate(), ca.certificate()));
        javax.net.ssl.X509KeyManager km = (javax.net.ssl.X509KeyManager) m.keyManagerFactory().getKeyManagers()[0];
        String alias = km.chooseServerAlias(leaf.key().getAlgorithm(), null, null);
        assertThat(alias).isNotNull();
        assertThat(km.getPrivateKey(alias)).isEqualTo(leaf.key());
        assertThat(km.getCertificateChain(alias)).containsExactly(leaf.certificate(), ca.certificate());
    }

    @Test
    void sanAllowListAndXfcc() throws Exception {
        X509Certificate cert = leaf.certificate();
        assertThat(ClientCertificates.allowed(cert, List.of(new SanMatcher(null, "spiffe://shop/")))).isTrue();
        assertThat(ClientCertificates.allowed(cert, List.of(new SanMatcher("localhost", null)))).isTrue();
        assertThat(ClientCertificates.allowed(cert, List.of(new SanMatcher("127.0.0.1", null)))).isTrue();
        assertThat(ClientCertificates.allowed(cert, List.of(new SanMatcher(null, "spiffe://other/")))).isFalse();
        assertThat(ClientCertificates.xfcc(cert, "spiffe://shop/proxy")).matches(
                "By=spiffe://shop/proxy;Hash=[0-9a-f]{64};URI=spiffe://shop/catalog;DNS=localhost");
        assertThat(ClientCertificates.xfcc(cert, null)).startsWith("Hash=");
    }
}
