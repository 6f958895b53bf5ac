package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real DNS server on loopback: Debian's dnsmasq answering from a hosts file only (no upstream, no cache), which a
 * test rewrites; {@link #update} makes it reread the file (SIGHUP).
 */
final class DnsServer implements AutoCloseable {
    private final Process process;
    private final Path hosts;
    private final Path log;
    final int port;

    /** @param records lines of a hosts file: {@code 127.0.0.2 web.test} */
    DnsServer(List<String> records) throws Exception {
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("dns-" + System.nanoTime()));
        hosts = dir.resolve("hosts");
        Files.write(hosts, records);
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now
        }
        String binary = Files.isExecutable(Path.of("/usr/sbin/dnsmasq")) ? "/usr/sbin/dnsmasq" : "dnsmasq";
        log = dir.resolve("dnsmasq.log");
        process = new ProcessBuilder(binary, "--keep-in-foreground", "--port=" + port, "--listen-address=127.0.0.1",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--cache-size=0",
                "--local-ttl=1", "--pid-file=", "--user=" + System.getProperty("user.name"), "--log-facility=-")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TlsIT.waitUntil(() -> reads() == 1 || !process.isAlive()); // it logs each read of the hosts file
        assertThat(process.isAlive()).as("dnsmasq runs (log in %s)", dir).isTrue();
    }

    private long reads() throws java.io.IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("read " + hosts)).count() : 0;
    }

    /** Replaces the records and makes dnsmasq reread them (returns once it has). */
    void update(List<String> records) throws Exception {
        long before = reads();
        Files.write(hosts, records);
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor()).isZero();
        TlsIT.waitUntil(() -> reads() > before);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
