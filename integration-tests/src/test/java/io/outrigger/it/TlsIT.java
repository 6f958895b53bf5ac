package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS termination, SNI, ALPN, mTLS, live reload and upstream TLS, with curl, openssl s_client and h2load.
 * Certificates are made by the jar's own {@code certs} command; none is committed.
 */
class TlsIT {
    static Path certs;
    static Path wrongCa;
    static Path k8s;     // Kubernetes secret-volume layout: ..data -> ..v1, tls.crt -> ..data/tls.crt
    static Origin echo;
    static HttpsOrigin secure;
    static ProxyProcess proxy;
    static int https;
    static int mtls;
    static int reload;
    static int plain;

    static Cmd outrigger(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProxyProcess.javaBin(), "-jar", ProxyProcess.JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Cmd r = Cmd.run(60, cmd.toArray(new String[0]));
        assertThat(r.exit()).as(r.err()).isZero();
        return r;
    }

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("tls-" + System.nanoTime()));
        certs = dir.resolve("certs");
        wrongCa = dir.resolve("wrong-ca");
        outrigger("certs", "ca", "--dir", certs.toString());
        outrigger("certs", "issue", "--dir", certs.toString(), "--dns", "localhost", "--ip", "127.0.0.1",
                "--uri", "spiffe://shop/proxy");
        outrigger("certs", "issue", "--dir", certs.toString(), "--name", "other", "--dns", "other.test");
        outrigger("certs", "issue", "--dir", certs.toString(), "--name", "frontend", "--uri", "spiffe://shop/frontend");
        outrigger("certs", "issue", "--dir", certs.toString(), "--name", "intruder", "--uri", "spiffe://evil/x");
        outrigger("certs", "issue", "--dir", certs.toString(), "--name", "next", "--dns", "localhost", "--ip", "127.0.0.1");
        outrigger("certs", "ca", "--dir", wrongCa.toString());
        k8s = Files.createDirectories(dir.resolve("secret"));
        publishSecret("v1", "localhost");
        Files.createSymbolicLink(k8s.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(k8s.resolve("tls.key"), Path.of("..data/tls.key"));

        echo = new Origin("echo");
        secure = new HttpsOrigin(certs.resolve("localhost.crt"), certs.resolve("localhost.key"));
        String routes = "[ { name: all, domains: [\"*\"], routes: [ { match: { prefix: / }, route: { cluster: echo } } ] } ]";
        proxy = ProxyProcess.start("tls", """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: https
                    address: 127.0.0.1:0
                    strict_transport_security: "max-age=31536000; includeSubDomains"
                    tls:
                      certificates:
                        - { certificate_chain: %1$s/localhost.crt, private_key: %1$s/localhost.key, server_names: [localhost] }
                        - { certificate_chain: %1$s/other.crt, private_key: %1$s/other.key, server_names: ["*.test"] }
                    virtual_hosts: %2$s
                  - name: mtls
                    address: 127.0.0.1:0
                    tls:
                      certificates: [ { certificate_chain: %1$s/localhost.crt, private_key: %1$s/localhost.key } ]
                      require_client_certificate: true
                      validation: { trusted_ca: %1$s/ca.crt, match_subject_alt_names: [ { prefix: "spiffe://shop/" } ] }
                    virtual_hosts: %2$s
                  - name: reload
                    address: 127.0.0.1:0
                    tls:
                      certificates: [ { certificate_chain: %3$s/tls.crt, private_key: %3$s/tls.key } ]
                    virtual_hosts: %2$s
                  - name: plain
                    address: 127.0.0.1:0
                    virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                          - { match: { prefix: /good }, route: { cluster: secure } }
                          - { match: { prefix: /wrongca }, route: { cluster: wrongca } }
                          - { match: { prefix: /wrongname }, route: { cluster: wrongname } }
                clusters:
                  - { name: echo, endpoints: [ %4$s ] }
                  - { name: secure, endpoints: [ "localhost:%5$d" ], tls: { trusted_ca: %1$s/ca.crt } }
                  - { name: wrongca, endpoints: [ "localhost:%5$d" ], tls: { trusted_ca: %6$s/ca.crt } }
                  - { name: wrongname, endpoints: [ "127.0.0.1:%5$d" ], tls: { trusted_ca: %1$s/ca.crt, sni: elsewhere.test } }
                """.formatted(certs, routes, k8s, echo.address(), secure.port(), wrongCa),
                "-Doutrigger.tls.reload_interval_ms=200");
        https = proxy.port("https");
        mtls = proxy.port("mtls");
        reload = proxy.port("reload");
        plain = proxy.port("plain");
    }

    // Writes a new ..vN directory and swaps the ..data link to it atomically, as the kubelet does.
    static void publishSecret(String version, String certName) throws Exception {
        Path v = Files.createDirectories(k8s.resolve(".." + version));
        Files.copy(certs.resolve(certName + ".crt"), v.resolve("tls.crt"));
        Files.copy(certs.resolve(certName + ".key"), v.resolve("tls.key"));
        Path tmp = k8s.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(".." + version));
        Files.move(tmp, k8s.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        echo.close();
        secure.close();
    }

    static String ca() {
        return certs.resolve("ca.crt").toString();
    }

    static Cmd openssl(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", ""));
        StringBuilder line = new StringBuilder("echo | openssl s_client -connect 127.0.0.1:" + port);
        for (String a : args) {
            line.append(' ').append(a);
        }
        cmd.set(2, line + " 2>&1");
        return Cmd.run(30, cmd.toArray(new String[0]));
    }

    static String servedSerial(int port, String serverName) throws Exception {
        Cmd r = Cmd.run(30, "sh", "-c", "echo | openssl s_client -connect 127.0.0.1:" + port + " -servername " + serverName
                + " 2>/dev/null | openssl x509 -noout -serial");
        return r.out().trim();
    }

    static String certSerial(Path cert) throws Exception {
        return Cmd.run(30, "openssl", "x509", "-noout", "-serial", "-in", cert.toString()).out().trim();
    }

    @Test
    void httpsOverHttp11AndHttp2ByAlpn() throws Exception {
        String url = "https://localhost:" + https + "/hello";
        Cmd h1 = Cmd.curlRun("--http1.1", "--cacert", ca(), "-w", "%{http_version}", url);
        assertThat(h1.out()).as(h1.err()).contains("x-forwarded-proto: https").endsWith("1.1");
        Cmd h2 = Cmd.curlRun("--http2", "--cacert", ca(), "-w", "%{http_version}", url);
        assertThat(h2.out()).as(h2.err()).contains("origin: echo").endsWith("2");
        assertThat(openssl(https, "-alpn", "h2").out()).contains("ALPN protocol: h2");
        assertThat(openssl(https, "-alpn", "http/1.1").out()).contains("ALPN protocol: http/1.1");
    }

    @Test
    void tlsListenerResponsesCarryStrictTransportSecurityAndFailedHandshakesAreCounted() throws Exception {
        Cmd h2 = Cmd.curlRun("--http2", "--cacert", ca(), "-D", "-", "-o", "/dev/null", "https://localhost:" + https + "/");
        assertThat(h2.out().toLowerCase()).contains("strict-transport-security: max-age=31536000; includesubdomains");
        Cmd plainListener = Cmd.curlRun("-D", "-", "-o", "/dev/null", "http://127.0.0.1:" + plain + "/good");
        assertThat(plainListener.out().toLowerCase()).doesNotContain("strict-transport-security");
        long before = proxy.stat("http.https.ssl.connection_error");
        // cleartext HTTP to the TLS port: a failed handshake, counted, never a stack trace in the log
        Cmd cleartext = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + https + "/");
        assertThat(cleartext.out()).isEqualTo("000");
        assertThat(Await.until(java.time.Duration.ofSeconds(5),
                () -> proxy.stat("http.https.ssl.connection_error") == before + 1)).isTrue();
        assertThat(proxy.logText()).doesNotContain("NotSslRecordException");
    }

    @Test
    void onlyTls12AndTls13() throws Exception {
        assertThat(openssl(https, "-tls1").out()).containsAnyOf("alert protocol version", "no protocols available");
        assertThat(openssl(https, "-tls1_1").out()).containsAnyOf("alert protocol version", "no protocols available");
        assertThat(openssl(https, "-tls1_2").out()).contains("Protocol  : TLSv1.2");
        assertThat(openssl(https, "-tls1_3").out()).contains("New, TLSv1.3");
    }

    @Test
    void sniSelectsTheCertificate() throws Exception {
        assertThat(openssl(https, "-servername", "api.test").out()).contains("CN = other.test");
        assertThat(openssl(https, "-servername", "localhost").out()).contains("CN = localhost");
        assertThat(openssl(https, "-noservername").out()).contains("CN = localhost"); // the default
    }

    @Test
    void mtlsAcceptsAllowedClientsAndForwardsTheirIdentity() throws Exception {
        String url = "https://localhost:" + mtls + "/id";
        Cmd good = Cmd.curlRun("--cacert", ca(), "--cert", certs.resolve("frontend.crt").toString(),
                "--key", certs.resolve("frontend.key").toString(), "-H", "x-forwarded-client-cert: By=forged", url);
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(good.out()).containsPattern(
                "x-forwarded-client-cert: By=spiffe://shop/proxy;Hash=[0-9a-f]{64};URI=spiffe://shop/frontend\n");
        assertThat(good.out()).doesNotContain("forged");

        int before = echo.requests.get();
        Cmd none = Cmd.curlRun("--cacert", ca(), url);
        assertThat(none.exit()).isNotZero();
        Cmd intruder = Cmd.curlRun("--cacert", ca(), "--cert", certs.resolve("intruder.crt").toString(),
                "--key", certs.resolve("intruder.key").toString(), url);
        assertThat(intruder.exit()).isNotZero();
        Cmd foreign = Cmd.curlRun("--cacert", ca(), "--cert", wrongCa.resolve("ca.crt").toString(),
                "--key", wrongCa.resolve("ca.key").toString(), url);
        assertThat(foreign.exit()).isNotZero();
        assertThat(echo.requests.get()).as("refused clients never reach a route").isEqualTo(before);

        Cmd plainTls = Cmd.curlRun("--cacert", ca(), "-H", "x-forwarded-client-cert: By=forged", "https://localhost:" + https + "/");
        assertThat(plainTls.out()).doesNotContain("x-forwarded-client-cert");
    }

    @Test
    void certificateReloadUnderLoadFailsNoRequest() throws Exception {
        String url = "https://127.0.0.1:" + reload + "/load";
        CompletableFuture<Cmd> load = CompletableFuture.supplyAsync(() -> {
            try {
                return Cmd.run(60, "h2load", "-D", "5", "-c", "8", "-m", "4", url);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String next = certSerial(certs.resolve("next.crt"));
        String first = certSerial(certs.resolve("localhost.crt"));
        waitUntil(() -> servedSerial(reload, "localhost").equals(first));
        publishSecret("v2", "next");
        waitUntil(() -> servedSerial(reload, "localhost").equals(next));
        publishSecret("v3", "localhost");
        waitUntil(() -> servedSerial(reload, "localhost").equals(first));
        Cmd r = load.get();
        Matcher m = Pattern.compile("requests: \\d+ total, \\d+ started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored")
                .matcher(r.out());
        assertThat(m.find()).as(r.out() + r.err()).isTrue();
        assertThat(Long.parseLong(m.group(2))).as(r.out()).isGreaterThan(100);
        assertThat(m.group(3)).as(r.out()).isEqualTo("0");
        assertThat(m.group(4)).as(r.out()).isEqualTo("0");
    }

    @Test
    void aBrokenNewCertificateKeepsTheOldOne() throws Exception {
        String served = servedSerial(reload, "localhost");
        Path v = Files.createDirectories(k8s.resolve("..broken"));
        Files.copy(certs.resolve("other.crt"), v.resolve("tls.crt"));      // certificate of another key
        Files.copy(certs.resolve("localhost.key"), v.resolve("tls.key"));
        Path tmp = k8s.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Path previous = Files.readSymbolicLink(k8s.resolve("..data"));
        Files.createSymbolicLink(tmp, Path.of("..broken"));
        Files.move(tmp, k8s.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try {
            waitUntil(() -> proxy.logText().contains("new TLS files rejected"));
            assertThat(servedSerial(reload, "localhost")).isEqualTo(served);
            assertThat(proxy.logText()).contains("does not match certificate");
        } finally {
            Files.createSymbolicLink(tmp, previous);
            Files.move(tmp, k8s.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void upstreamTlsVerifiesTheOrigin() throws Exception {
        Cmd good = Cmd.curlRun("-w", " %{http_code}", "http://127.0.0.1:" + plain + "/good");
        assertThat(good.out()).isEqualTo("secure origin\n 200");
        Cmd wrongCa = Cmd.curlRun("-w", " %{http_code}", "http://127.0.0.1:" + plain + "/wrongca");
        assertThat(wrongCa.out()).endsWith(" 503");
        Cmd wrongName = Cmd.curlRun("-w", " %{http_code}", "http://127.0.0.1:" + plain + "/wrongname");
        assertThat(wrongName.out()).endsWith(" 503");
        assertThat(proxy.awaitLog(l -> l.contains("\"GET /wrongca HTTP/1.1\" 503 UF "))).as("access log line").isTrue();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Waits up to 10 s for {@code check} with the shared {@link Await} helper; fails the test if it never holds. */
    static void waitUntil(Check check) throws Exception {
        assertThat(Await.until(java.time.Duration.ofSeconds(10), check::ok)).as("condition not met in 10s").isTrue();
    }
}
