package io.outrigger.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The TLS tests' certificates: a test CA and a leaf it issued for {@code localhost}, {@code 127.0.0.1} and
 * {@code spiffe://shop/catalog}, valid from a minute ago for a day, written to a directory as {@code ca.crt} /
 * {@code ca.key} and {@code leaf.crt} / {@code leaf.key}.
 */
record TestPki(CertificateAuthority ca, CertificateAuthority.Issued leaf) {
    static TestPki issue(Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        Instant now = Instant.now();
        CertificateAuthority.Issued leaf = ca.issue(List.of("localhost"), List.of("spiffe://shop/catalog"),
                List.of("127.0.0.1"), now.minusSeconds(60), now.plus(Duration.ofDays(1)));
        leaf.write(dir, "leaf");
        ca.write(dir);
        return new TestPki(ca, leaf);
    }
}
