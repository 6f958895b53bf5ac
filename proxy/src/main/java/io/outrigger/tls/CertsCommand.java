package io.outrigger.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outrigger certs}: a local CA and certificates for trying TLS and mTLS (development only). */
@Command(name = "certs", mixinStandardHelpOptions = true, subcommands = {CertsCommand.Ca.class, CertsCommand.Issue.class},
        description = "Create a local CA and certificates signed by it (PEM; keys 0600). For development and tests.")
public final class CertsCommand implements Runnable {
    static final String DEFAULT_DIR = "outrigger-certs";

    @Override
    public void run() {
        System.out.println("usage: outrigger certs ca | outrigger certs issue --dns NAME ... (see --help)");
    }

    @Command(name = "ca", mixinStandardHelpOptions = true, description = "Create DIR/ca.crt and DIR/ca.key.")
    static final class Ca implements Callable<Integer> {
        @Option(names = "--dir", description = "output directory (default: ${DEFAULT-VALUE})")
        Path dir = Path.of(DEFAULT_DIR);

        @Option(names = "--name", description = "CA common name (default: ${DEFAULT-VALUE})")
        String name = "Outrigger local CA";

        @Option(names = "--days", description = "validity in days (default: ${DEFAULT-VALUE})")
        int days = 3650;

        @Option(names = "--force", description = "replace an existing CA")
        boolean force;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(dir.resolve(CertificateAuthority.CA_CERT)) && !force) {
                System.err.println(dir.resolve(CertificateAuthority.CA_CERT) + " exists (use --force to replace it)");
                return 1;
            }
            CertificateAuthority.create(name, Duration.ofDays(days)).write(dir);
            System.out.println("wrote " + dir.resolve(CertificateAuthority.CA_CERT) + " and " + dir.resolve(CertificateAuthority.CA_KEY));
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue DIR/NAME.crt and DIR/NAME.key, signed by DIR/ca.crt (for servers and clients).")
    static final class Issue implements Callable<Integer> {
        @Option(names = "--dir", description = "directory holding the CA and receiving the files (default: ${DEFAULT-VALUE})")
        Path dir = Path.of(DEFAULT_DIR);

        @Option(names = "--name", description = "file name stem (default: the first DNS name, URI host or IP)")
        String name;

        @Option(names = "--dns", description = "DNS subject alternative name (repeatable)")
        List<String> dns = new ArrayList<>();

        @Option(names = "--uri", description = "URI subject alternative name, e.g. spiffe://shop/catalog (repeatable)")
        List<String> uris = new ArrayList<>();

        @Option(names = "--ip", description = "IP subject alternative name (repeatable)")
        List<String> ips = new ArrayList<>();

        /** The CA/Browser Forum's limit for a server certificate is 398 days (Baseline Requirements §6.3.2). */
        static final int MAX_BROWSER_DAYS = 397;

        @Option(names = "--days", description = "validity in days (default: ${DEFAULT-VALUE}, within the CA/Browser "
                + "Forum's 398-day limit)")
        int days = MAX_BROWSER_DAYS;

        @Option(names = "--expired", description = "issue a certificate that expired yesterday (for testing)", hidden = true)
        boolean expired;

        @Override
        public Integer call() throws Exception {
            CertificateAuthority ca = CertificateAuthority.read(dir);
            if (days > MAX_BROWSER_DAYS) {
                System.err.println("warning: " + days + " days is over the CA/Browser Forum's 398-day limit: browsers and "
                        + "TLS scanners flag such a certificate");
            }
            Instant now = Instant.now();
            Instant from = expired ? now.minus(Duration.ofDays(30)) : now.minusSeconds(60);
            Instant to = expired ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofDays(days));
            CertificateAuthority.Issued issued = ca.issue(dns, uris, ips, from, to);
            String stem = name != null ? name : !dns.isEmpty() ? dns.get(0)
                    : !uris.isEmpty() ? java.net.URI.create(uris.get(0)).getHost() : ips.get(0);
            issued.write(dir, stem);
            System.out.println("wrote " + dir.resolve(stem + ".crt") + " and " + dir.resolve(stem + ".key"));
            return 0;
        }
    }
}
