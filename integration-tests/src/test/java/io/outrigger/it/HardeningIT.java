package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and abusive clients against the real jar: {@code request_headers_timeout}, {@code max_requests_per_connection}
 * (HTTP/1.1 here; HTTP/2 in {@code GrpcIT}, with a client that follows GOAWAY), {@code max_connections}, {@code codec_type}, and peer errors counted without flooding the log.
 */
class HardeningIT {
    static Origin origin;
    static ProxyProcess proxy;
    static int slow;
    static int limited;
    static int few;
    static int h2only;
    static int h1only;
    static int busy;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origin("o");
        String vhosts = "[ { name: all, domains: [\"*\"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]";
        proxy = ProxyProcess.start("hardening", """
                admin: { address: 127.0.0.1:0 }
                listeners:
                  - { name: slow, address: 127.0.0.1:0, request_headers_timeout: 1s, virtual_hosts: %1$s }
                  - { name: limited, address: 127.0.0.1:0, max_requests_per_connection: 3, virtual_hosts: %1$s }
                  - { name: few, address: 127.0.0.1:0, max_connections: 2, virtual_hosts: %1$s }
                  - name: h2only
                    address: 127.0.0.1:0
                    codec_type: HTTP2
                    http2_protocol_options: { max_concurrent_streams: 10, initial_stream_window_size: 128KiB }
                    virtual_hosts: %1$s
                  - { name: h1only, address: 127.0.0.1:0, codec_type: HTTP1, virtual_hosts: %1$s }
                  - { name: busy, address: 127.0.0.1:0, idle_timeout: 1s, virtual_hosts: %1$s }
                clusters:
                  - { name: o, endpoints: [ %2$s ] }
                """.formatted(vhosts, origin.address()));
        slow = proxy.port("slow");
        limited = proxy.port("limited");
        few = proxy.port("few");
        h2only = proxy.port("h2only");
        h1only = proxy.port("h1only");
        busy = proxy.port("busy");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    /** Writes {@code bytes}, then reads until the proxy closes (fails after {@code timeout}). */
    static String sendAndReadToClose(int port, String bytes, Duration timeout) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readToClose(s.getInputStream());
        }
    }

    static String readToClose(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection not closed; got: " + out.toString(StandardCharsets.ISO_8859_1));
        } catch (java.net.SocketException e) {
            // reset by the proxy: what was read so far is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void slowlorisHeadersGet408AndTheConnectionClosesWhileOtherClientsAreServed() throws Exception {
        int before = origin.requests.get();
        long start = System.nanoTime();
        // a few bytes of headers, then nothing: answered 408 after request_headers_timeout (1 s), not idle_timeout (1 h)
        String partial = sendAndReadToClose(slow, "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ", Duration.ofSeconds(10));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(partial).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        assertThat(ms).isBetween(900L, 5_000L);
        // a client that connects and never sends a byte is bounded the same way
        assertThat(sendAndReadToClose(slow, "", Duration.ofSeconds(10))).startsWith("HTTP/1.1 408 ");
        assertThat(origin.requests.get()).as("nothing forwarded").isEqualTo(before);
        // a normal client on the same listener, keep-alive pauses longer than the timeout included, is served
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), slow)) {
            s.setSoTimeout(10_000);
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write("GET /k HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponseHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
                Thread.sleep(1_500); // idle keep-alive between requests: longer than the headers timeout on purpose
            }
        }
        assertThat(proxy.stat("http.slow.downstream_rq_header_timeout")).isEqualTo(2);
    }

    @Test
    void aBusyH2cPriorKnowledgeConnectionOutlivesTheIdleTimeout() throws Exception {
        // idle_timeout (1 s here) counts time without a stream; a connection asked something every 250 ms stays open.
        // (The HTTP/1.1 handler that the h2c preface replaces kept its own idle timer, which closed it after 1 s.)
        byte[] block = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x41, 5, 'b', 'u', 's', 'y', '1'}; // GET http / busy1
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), busy)) {
            s.setSoTimeout(5_000);
            java.io.OutputStream out = s.getOutputStream();
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(h2Frame(4, 0, 0, new byte[0])); // SETTINGS
            long end = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
            int answered = 0;
            for (int stream = 1; System.nanoTime() < end; stream += 2) {
                out.write(h2Frame(1, 5, stream, block)); // HEADERS, END_STREAM | END_HEADERS
                readH2StreamEnd(in, out, stream, answered);
                answered++;
                Thread.sleep(250); // the client's pace: the connection is never idle for the timeout
            }
            assertThat(answered).isGreaterThanOrEqualTo(8);
        }
    }

    private static byte[] h2Frame(int type, int flags, int stream, byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
                .put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return b.array();
    }

    /** Reads frames until {@code stream} ends (HEADERS or DATA with END_STREAM); acknowledges SETTINGS; fails on GOAWAY. */
    private static void readH2StreamEnd(java.io.DataInputStream in, java.io.OutputStream out, int stream, int answered)
            throws Exception {
        while (true) {
            byte[] head = new byte[9];
            try {
                in.readFully(head);
            } catch (java.io.EOFException e) {
                throw new AssertionError("the proxy closed the connection after " + answered + " answered requests");
            }
            int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
            int type = head[3];
            int flags = head[4];
            int id = java.nio.ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
            in.readNBytes(length);
            if (type == 7) {
                throw new AssertionError("GOAWAY after " + answered + " answered requests");
            }
            if (type == 4 && (flags & 1) == 0) {
                out.write(h2Frame(4, 1, 0, new byte[0])); // SETTINGS ACK
            }
            if ((type == 0 || type == 1) && id == stream && (flags & 1) != 0) {
                return;
            }
        }
    }

    /** Reads a response with a Content-Length body; returns its head. */
    static String readResponseHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed after " + sb);
            }
            sb.append((char) b);
        }
        String head = sb.toString();
        int cl = head.toLowerCase().indexOf("content-length: ");
        if (cl >= 0) {
            int n = Integer.parseInt(head.substring(cl + 16, head.indexOf('\r', cl)).trim());
            in.readNBytes(n);
        }
        return head;
    }

    @Test
    void http11ConnectionsCloseAfterMaxRequestsPerConnection() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), limited)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            for (int i = 1; i <= 3; i++) {
                s.getOutputStream().write("GET /m HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = readResponseHead(in);
                assertThat(head).startsWith("HTTP/1.1 200 ");
                assertThat(head.toLowerCase().contains("connection: close")).as("response %d", i).isEqualTo(i == 3);
            }
            assertThat(in.read()).as("closed after the third response").isEqualTo(-1);
        }
        assertThat(proxy.stat("http.limited.downstream_cx_max_requests_reached")).isPositive();
    }

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAtAccept() throws Exception {
        long before = proxy.stat("http.few.downstream_cx_overflow");
        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), few);
             Socket b = new Socket(InetAddress.getLoopbackAddress(), few)) {
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            for (Socket s : List.of(a, b)) { // both accepted and serving before the third connects
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponseHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            }
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), few)) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readToClose(c.getInputStream())).isEmpty();
            }
            assertThat(proxy.stat("http.few.downstream_cx_overflow")).isEqualTo(before + 1);
            b.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponseHead(b.getInputStream())).startsWith("HTTP/1.1 200 ");
        }
        // once one closes, a new connection is served again
        assertThat(Await.until(Duration.ofSeconds(5), () -> {
            try (Socket d = new Socket(InetAddress.getLoopbackAddress(), few)) {
                d.setSoTimeout(5_000);
                d.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return readToCloseOrHead(d.getInputStream()).startsWith("HTTP/1.1 200 ");
            }
        })).isTrue();
    }

    private static String readToCloseOrHead(InputStream in) throws Exception {
        try {
            return readResponseHead(in);
        } catch (AssertionError | java.net.SocketException e) {
            return "";
        }
    }

    @Test
    void codecTypeHttp2ServesOnlyPriorKnowledgeAndHttp1OnlyRefusesThePreface() throws Exception {
        Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                "http://127.0.0.1:" + h2only + "/");
        assertThat(h2.out()).isEqualTo("200 2");
        // HTTP/1.1 on the HTTP/2-only port: not a preface, a connection error (GOAWAY, close)
        String answer = sendAndReadToClose(h2only, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Duration.ofSeconds(10));
        assertThat(answer).doesNotStartWith("HTTP/1.1 200");
        assertThat(Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + h1only + "/").out())
                .isEqualTo("200");
        // the HTTP/2 preface on the HTTP/1.1-only port is a request line with version 2.0: 505
        assertThat(sendAndReadToClose(h1only, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Duration.ofSeconds(10)))
                .startsWith("HTTP/1.1 505 ");
    }

    @Test
    void aFloodOfBadRequestsIsCountedButLoggedAsAFewSummaryLines() throws Exception {
        long before = proxy.stat("http.h1only.downstream_cx_protocol_error");
        long warnBefore = warnLines("listener 'h1only'");
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertThat(sendAndReadToClose(h1only, "GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", Duration.ofSeconds(10)))
                    .startsWith("HTTP/1.1 400 ");
        }
        long tenSecondPeriods = (System.nanoTime() - start) / 10_000_000_000L;
        assertThat(proxy.stat("http.h1only.downstream_cx_protocol_error")).isEqualTo(before + 200);
        // at most one summary line per listener per 10 s, however many errors (the log is asynchronous: wait for it)
        Await.until(Duration.ofSeconds(2), () -> warnLines("listener 'h1only'") > warnBefore);
        assertThat(warnLines("listener 'h1only'") - warnBefore).isBetween(0L, 1 + tenSecondPeriods);
        assertThat(proxy.logText()).doesNotContain("\tat io.netty"); // no stack trace
    }

    private static long warnLines(String about) throws Exception {
        return proxy.logText().lines().filter(l -> l.contains(" WARN ") && l.contains(about)).count();
    }
}
