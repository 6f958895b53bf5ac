package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/3 over QUIC on a TLS listener, end to end: Netty's HTTP/3 client (its own QUIC codec, quiche) and Debian's
 * ngtcp2 example client ({@code gtlsclient}) against the jar, whose upstreams are HTTP/1.1 origins. The proxy runs with
 * {@code -Xmx64m} throughout, so the 64 MiB transfers also show that bodies stream.
 */
class Http3IT {
    static Path certs;
    static Path live;    // the listener's certificate files, replaced in place by the reload test
    static Origin a;
    static Origin b;
    static Origin c;
    static ProxyProcess proxy;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createDirectories(ProxyProcess.WORK.resolve("h3-" + System.nanoTime()));
        certs = dir.resolve("certs");
        live = Files.createDirectories(dir.resolve("live"));
        TlsIT.outrigger("certs", "ca", "--dir", certs.toString());
        TlsIT.outrigger("certs", "issue", "--dir", certs.toString(), "--dns", "localhost", "--ip", "127.0.0.1");
        TlsIT.outrigger("certs", "issue", "--dir", certs.toString(), "--name", "next", "--dns", "localhost", "--ip", "127.0.0.1");
        Files.copy(certs.resolve("localhost.crt"), live.resolve("tls.crt"));
        Files.copy(certs.resolve("localhost.key"), live.resolve("tls.key"));
        a = new Origin("a");
        b = new Origin("b");
        c = new Origin("c");
        proxy = ProxyProcess.start("h3", """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: h3
                    address: 127.0.0.1:0
                    tls:
                      certificates: [ { certificate_chain: %1$s/tls.crt, private_key: %1$s/tls.key } ]
                    http3: { enabled: true, max_concurrent_streams: 50 }
                    virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                          - match: { prefix: /sticky }
                            route: { cluster: ring, hash_policy: [ { header: { header_name: x-user } } ] }
                          - { match: { prefix: / }, route: { cluster: single, timeout: 60s } }
                clusters:
                  - { name: single, endpoints: [ %2$s ] }
                  - { name: ring, lb_policy: ring_hash, endpoints: [ %2$s, %3$s, %4$s ] }
                """.formatted(live, a.address(), b.address(), c.address()),
                "-Xmx64m", "-Doutrigger.tls.reload_interval_ms=200");
        port = proxy.port("h3");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
        c.close();
    }

    static H3Client client() throws Exception {
        return new H3Client(port, certs.resolve("ca.crt"));
    }

    @Test
    void getPostAndConcurrentStreamsReachAnHttp11Origin() throws Exception {
        try (H3Client h3 = client()) {
            H3Client.Response get = h3.get("/hello?x=1", Map.of("x-test", "yes")).get(10, TimeUnit.SECONDS);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.text()).contains("origin: a", "GET /hello?x=1", "x-test: yes", "x-forwarded-proto: https");
            List<CompletableFuture<H3Client.Response>> streams = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                streams.add(h3.get("/n/" + i, Map.of()));
            }
            for (int i = 0; i < 10; i++) {
                H3Client.Response r = streams.get(i).get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).contains("GET /n/" + i + "\n");
            }
            byte[] body = new byte[100 * 1024];
            new Random(1).nextBytes(body);
            H3Client.Response post = h3.send("POST", "/upload", Map.of(), body, 1).get(10, TimeUnit.SECONDS);
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.text()).isEqualTo("received 102400\n");
        }
        assertThat(proxy.awaitLog(l -> l.contains("\"GET /hello?x=1 HTTP/3\" 200"))).isTrue();
    }

    @Test
    void bodiesOf64MiBStreamBothWaysThroughAProxyWith64MiBOfHeap() throws Exception {
        try (H3Client h3 = client()) {
            byte[] block = new byte[16 * 1024];
            H3Client.Response up = h3.send("POST", "/upload", Map.of(), block, 4096).get(60, TimeUnit.SECONDS);
            assertThat(up.text()).isEqualTo("received " + (64L << 20) + "\n");
            H3Client.Response down = h3.get("/bytes/" + (64L << 20), Map.of()).get(60, TimeUnit.SECONDS);
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.headers().get("x-test-body-bytes")).isEqualTo(Long.toString(64L << 20));
        }
        assertThat(proxy.logText()).doesNotContain("OutOfMemoryError");
    }

    @Test
    void tcpResponsesAdvertiseHttp3WithAltSvc() throws Exception {
        String url = "https://localhost:" + port + "/";
        for (String version : List.of("--http1.1", "--http2")) {
            Cmd r = Cmd.curlRun(version, "--cacert", certs.resolve("ca.crt").toString(), "-D", "-", "-o", "/dev/null", url);
            assertThat(r.out().toLowerCase()).as(version).contains("alt-svc: h3=\":" + port + "\"; ma=86400");
        }
    }

    @Test
    void ringHashPicksTheSameHostOverHttp11Http2AndHttp3() throws Exception {
        try (H3Client h3 = client()) {
            for (int i = 0; i < 12; i++) {
                String user = "user-" + i;
                String url = "https://localhost:" + port + "/sticky";
                String h1 = originOf(Cmd.curlRun("--http1.1", "--cacert", certs.resolve("ca.crt").toString(), "-H",
                        "x-user: " + user, url).out());
                String h2 = originOf(Cmd.curlRun("--http2", "--cacert", certs.resolve("ca.crt").toString(), "-H",
                        "x-user: " + user, url).out());
                String h3origin = originOf(h3.get("/sticky", Map.of("x-user", user)).get(10, TimeUnit.SECONDS).text());
                assertThat(h1).as(user).isNotNull().isEqualTo(h2).isEqualTo(h3origin);
            }
        }
    }

    private static String originOf(String body) {
        return body.lines().filter(l -> l.startsWith("origin: ")).findFirst().orElse(null);
    }

    @Test
    void ngtcp2ClientInteroperates() throws Exception {
        Cmd.require("gtlsclient");
        Path tmp = Files.createTempDirectory(ProxyProcess.WORK, "ngtcp2");
        Path body = tmp.resolve("body.bin");
        byte[] bytes = new byte[100 * 1024];
        new Random(2).nextBytes(bytes);
        Files.write(body, bytes);
        Map<String, List<String>> checks = new java.util.LinkedHashMap<>();
        checks.put("get", List.of());
        checks.put("streams10", List.of("-n", "10"));
        checks.put("post100k", List.of("-m", "POST", "-d", body.toString()));
        checks.put("keyupdate", List.of("--key-update=5ms"));
        checks.put("natrebind", List.of("--nat-rebinding", "--delay-stream=300ms"));
        for (Map.Entry<String, List<String>> check : checks.entrySet()) {
            Cmd r = gtlsclient(check.getValue());
            int want = check.getKey().equals("streams10") ? 10 : 1;
            assertThat(r.exit()).as(check.getKey() + ": " + r.err()).isZero();
            assertThat(count(r.out() + r.err(), ":status: 200")).as(check.getKey()).isEqualTo(want);
        }
        // resumption: the second connection resumes the first's session (and offers 0-RTT, off by default here)
        Path session = tmp.resolve("session");
        Path tp = tmp.resolve("tp");
        Cmd first = gtlsclient(List.of("--session-file", session.toString(), "--tp-file", tp.toString()));
        assertThat(first.exit()).isZero();
        Cmd resumed = gtlsclient(List.of("--session-file", session.toString(), "--tp-file", tp.toString()));
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(count(resumed.out() + resumed.err(), ":status: 200")).isEqualTo(1);
    }

    private static Cmd gtlsclient(List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gtlsclient", "--no-quic-dump", "--exit-on-all-streams-close",
                "--timeout=10s"));
        cmd.addAll(extra);
        cmd.addAll(List.of("127.0.0.1", Integer.toString(port), "https://localhost:" + port + "/hello"));
        return Cmd.run(30, cmd.toArray(new String[0]));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void newQuicConnectionsSeeAReplacedCertificate() throws Exception {
        String before;
        try (H3Client h3 = client()) {
            before = h3.serverCertificate().getSerialNumber().toString(16);
        }
        String next = TlsIT.certSerial(certs.resolve("next.crt")).replaceFirst("(?i)^serial=", "").toLowerCase()
                .replaceFirst("^0+", "");
        assertThat(before).isNotEqualTo(next);
        Path tmpCrt = live.resolve("tls.crt.tmp");
        Path tmpKey = live.resolve("tls.key.tmp");
        Files.copy(certs.resolve("next.key"), tmpKey, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.resolve("next.crt"), tmpCrt, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpKey, live.resolve("tls.key"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmpCrt, live.resolve("tls.crt"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Await.until(Duration.ofSeconds(10), () -> {
            try (H3Client h3 = client()) {
                return h3.serverCertificate().getSerialNumber().toString(16).equals(next);
            }
        })).isTrue();
        try (H3Client h3 = client()) {
            assertThat(h3.get("/after-reload", Map.of()).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    /**
     * Initial packets from 200 source ports, none of which ever completes a handshake: past
     * {@code retry_above_pending_handshakes} the listener answers with stateless Retry packets, so memory stays bounded,
     * and a real client is still served.
     */
    @Test
    void aFloodOfInitialPacketsIsAnsweredStatelesslyAndDoesNotStopService() throws Exception {
        long rssBefore = rssKiB();
        long retriesBefore = proxy.stat("http.h3.http3.retry_sent");
        Random random = new Random(3);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int s = 0; s < 200; s++) {
                sockets.add(new DatagramSocket(0, loopback));
            }
            for (int round = 0; round < 25; round++) {
                for (DatagramSocket socket : sockets) {
                    byte[] p = initialPacket(random);
                    socket.send(new DatagramPacket(p, p.length, loopback, port));
                }
            }
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
        assertThat(Await.until(Duration.ofSeconds(10), () -> proxy.stat("http.h3.http3.retry_sent") > retriesBefore)).isTrue();
        try (H3Client h3 = client()) {
            assertThat(h3.get("/after-flood", Map.of()).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        assertThat(proxy.logText()).doesNotContain("reached at the tail of the pipeline");
        long grownMiB = (rssKiB() - rssBefore) / 1024;
        assertThat(grownMiB).as("RSS growth after 5,000 Initial packets, MiB").isLessThan(48);
        assertThat(proxy.isAlive()).isTrue();
    }

    /**
     * A HEADERS frame whose QPACK field section cannot be decoded (RFC 9204 §2.2: QPACK_DECOMPRESSION_FAILED): the
     * stream or the connection ends, nothing reaches the origin, the process serves the next connection.
     */
    @Test
    void aMalformedQpackFieldSectionEndsTheStreamOrConnectionNotTheProcess() throws Exception {
        int before = a.requests.get();
        try (H3Client h3 = client()) {
            CompletableFuture<String> ended = new CompletableFuture<>();
            io.netty.handler.codec.quic.QuicStreamChannel raw = h3.connection.createStream(
                    io.netty.handler.codec.quic.QuicStreamType.BIDIRECTIONAL,
                    new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                            io.netty.util.ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                            ended.complete("stream error: " + cause);
                        }

                        @Override
                        public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
                            ended.complete("stream closed");
                        }
                    }).get(5, TimeUnit.SECONDS);
            h3.connection.closeFuture().addListener(f -> ended.complete("connection closed"));
            // HEADERS (type 0x01), 6 bytes: a Required Insert Count far beyond any table, then junk
            raw.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0x01, 0x06, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}));
            assertThat(ended.get(10, TimeUnit.SECONDS)).isNotNull();
        }
        try (H3Client h3 = client()) {
            assertThat(h3.get("/after-qpack", Map.of()).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        assertThat(a.requests.get()).isEqualTo(before + 1); // only the request after it
        assertThat(proxy.isAlive()).isTrue();
    }

    /**
     * SIGTERM with an HTTP/3 request in flight: the connection gets GOAWAY (RFC 9114 §5.2), the request still
     * completes, and the process exits 0.
     */
    @Test
    void sigtermDrainsHttp3ConnectionsWithGoaway() throws Exception {
        try (ProxyProcess p = ProxyProcess.start("h3-drain", """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - name: h3
                    address: 127.0.0.1:0
                    tls:
                      certificates: [ { certificate_chain: %1$s/localhost.crt, private_key: %1$s/localhost.key } ]
                    http3: { enabled: true }
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: single } } ] } ]
                clusters:
                  - { name: single, endpoints: [ %2$s ] }
                """.formatted(certs, a.address()))) {
            try (H3Client h3 = new H3Client(p.port("h3"), certs.resolve("ca.crt"))) {
                int before = a.requests.get();
                assertThat(h3.get("/first", Map.of()).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
                CompletableFuture<H3Client.Response> slow = h3.get("/slow/1500", Map.of());
                // the slow request reached the origin (which answers it 1.5 s later)
                assertThat(Await.until(Duration.ofSeconds(5), () -> a.requests.get() >= before + 2)).isTrue();
                p.signal("TERM");
                H3Client.Response r = slow.get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).contains("slow");
                io.netty.handler.codec.http3.Http3ClientConnectionHandler handler =
                        h3.connection.pipeline().get(io.netty.handler.codec.http3.Http3ClientConnectionHandler.class);
                assertThat(handler.isGoAwayReceived()).isTrue();
            }
            assertThat(p.process().waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
            assertThat(p.process().exitValue()).isZero();
        }
    }

    /** A QUIC v1 long-header Initial packet (RFC 9000 §17.2.2) with random connection ids and an undecryptable payload. */
    private static byte[] initialPacket(Random random) {
        byte[] p = new byte[1200];
        random.nextBytes(p);
        int i = 0;
        p[i++] = (byte) 0xc3;                      // long header, fixed bit, Initial, 4-byte packet number
        p[i++] = 0; p[i++] = 0; p[i++] = 0; p[i++] = 1; // version 1
        p[i++] = 8; i += 8;                        // DCID
        p[i++] = 8; i += 8;                        // SCID
        p[i++] = 0;                                // no token
        int length = p.length - i - 2;
        p[i++] = (byte) (0x40 | (length >> 8));
        p[i] = (byte) length;
        return p;
    }

    private static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + proxy.process().pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS");
    }
}
