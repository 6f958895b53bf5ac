package io.outrigger.demo;

import io.netty.channel.EventLoopGroup;
import io.outrigger.Main;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.filter.HttpFilterRegistry;
import io.outrigger.server.EventLoopGroups;
import io.outrigger.server.FilterChains;
import io.outrigger.server.OutriggerServer;
import io.outrigger.server.Transport;
import io.outrigger.tls.CertificateAuthority;
import io.outrigger.tls.TlsValidation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outrigger demo}: three local origins and the proxy on {@code 127.0.0.1:10000}, routing by ring
 * hash on {@code x-user-id}. The config is the embedded {@code demo.yaml} (the same as
 * {@code examples/demo.yaml}), with the origins' ports filled in through {@code ${ORIGIN_n}}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo origins and the proxy on 127.0.0.1:10000 (Ctrl-C stops everything); "
                + "--tls adds HTTPS on 10443.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", description = "proxy listener port (default: ${DEFAULT-VALUE})")
    int port = 10000;

    @Option(names = "--admin-port", description = "admin port (default: ${DEFAULT-VALUE})")
    int adminPort = 9901;

    @Option(names = "--tls", description = "also serve HTTPS on --tls-port with a certificate from a local CA "
            + "(created in --certs-dir on first use, as `outrigger certs` does)")
    boolean tls;

    @Option(names = "--tls-port", description = "HTTPS listener port with --tls (default: ${DEFAULT-VALUE})")
    int tlsPort = 10443;

    @Option(names = "--certs-dir", description = "where the CA and the localhost certificate live (default: ${DEFAULT-VALUE})")
    Path certsDir = Path.of("outrigger-certs");

    @Override
    public Integer call() throws Exception {
        io.outrigger.Startup.awaitPreinitialised();
        EventLoopGroups loops = EventLoopGroups.create(Transport.detect(), 1);
        Transport transport = loops.transport();
        EventLoopGroup originLoop = loops.groups().get(0);
        List<DemoOrigin> origins = List.of(
                DemoOrigin.start("origin-1", 0, originLoop, transport.serverChannel()),
                DemoOrigin.start("origin-2", 0, originLoop, transport.serverChannel()),
                DemoOrigin.start("origin-3", 0, originLoop, transport.serverChannel()));
        if (tls) {
            ensureCertificates();
        }
        Map<String, String> vars = Map.of(
                "ORIGIN_1", "127.0.0.1:" + origins.get(0).port(),
                "ORIGIN_2", "127.0.0.1:" + origins.get(1).port(),
                "ORIGIN_3", "127.0.0.1:" + origins.get(2).port(),
                "PROXY_PORT", Integer.toString(port),
                "ADMIN_PORT", Integer.toString(adminPort),
                "TLS_PORT", Integer.toString(tlsPort),
                "CERTS_DIR", certsDir.toString());
        HttpFilterRegistry registry = HttpFilterRegistry.load();
        AtomicReference<FilterChains> filters = new AtomicReference<>();
        OutriggerConfig config = new ConfigLoader(name -> vars.getOrDefault(name, System.getenv(name)))
                .load(tls ? "demo-tls.yaml" : "demo.yaml", resource(tls ? "/demo-tls.yaml" : "/demo.yaml"), c -> {
                    filters.set(FilterChains.build(c, registry));
                    TlsValidation.check(c);
                });
        OutriggerServer server = OutriggerServer.start(config, filters.get(), 2, null);
        String base = "http://127.0.0.1:" + port;
        System.out.println();
        System.out.println("Outrigger demo is running: proxy " + base + ", admin http://127.0.0.1:" + adminPort
                + ", origins on ports " + origins.get(0).port() + ", " + origins.get(1).port() + ", " + origins.get(2).port());
        System.out.println("Try:");
        System.out.println("  curl -s " + base + "/hello -H 'x-user-id: alice'        # same user, same origin, every time");
        System.out.println("  curl -s " + base + "/hello -H 'x-user-id: bob'");
        System.out.println("  curl -s --http2-prior-knowledge " + base + "/hello -H 'x-user-id: alice'   # HTTP/2, same origin");
        System.out.println("  for i in 1 2 3 4 5 6; do curl -s " + base + "/hello | head -1; done   # no key: random origin");
        if (tls) {
            String https = "https://localhost:" + tlsPort;
            System.out.println("  curl -s --cacert " + certsDir.resolve(CertificateAuthority.CA_CERT) + " " + https
                    + "/hello -H 'x-user-id: alice'   # HTTPS, HTTP/2 by ALPN");
        }
        System.out.println("  curl -s http://127.0.0.1:" + adminPort + "/clusters");
        System.out.println("Ctrl-C stops everything.");
        System.out.flush();
        return Main.runUntilShutdown(server, () -> {
            origins.forEach(DemoOrigin::close);
            originLoop.shutdownGracefully().syncUninterruptibly();
        });
    }

    // A local CA and a localhost certificate, created once and reused (like mkcert).
    private void ensureCertificates() throws Exception {
        if (!Files.exists(certsDir.resolve(CertificateAuthority.CA_CERT))) {
            CertificateAuthority.create("Outrigger local CA", Duration.ofDays(3650)).write(certsDir);
        }
        if (!Files.exists(certsDir.resolve("localhost.crt"))) {
            Instant now = Instant.now();
            CertificateAuthority.read(certsDir).issue(List.of("localhost"), List.of(), List.of("127.0.0.1", "::1"),
                    now.minusSeconds(60), now.plus(Duration.ofDays(825))).write(certsDir, "localhost");
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
