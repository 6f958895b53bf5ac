package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed HTTP/1.1 gets a 4xx and a closed connection, and nothing reaches the origin. */
class BadInputIT {
    static Origin origin;
    static ProxyProcess proxy;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origin("victim");
        proxy = ProxyProcess.start("badinput", ProxyProcess.catchAllConfig("{ cluster: victim }",
                "- { name: victim, endpoints: [ " + origin.address() + " ] }"));
        port = proxy.port("main");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    /** Sends raw bytes and reads until the proxy closes the connection (fails if it does not within 5s). */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection not closed; got: " + out.toString(StandardCharsets.ISO_8859_1));
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static void assertRejected(String request, int status) throws Exception {
        int before = origin.requests.get();
        String response = raw(request);
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        assertThat(response).containsIgnoringCase("connection: close");
        assertThat(origin.requests.get()).as("nothing forwarded").isEqualTo(before);
    }

    @Test
    void requestTargetsOutsideTheGrammarAndOtherHttpVersionsAreRefused() throws Exception {
        assertRejected("GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400); // control character (RFC 9112 §3.2)
        assertRejected("GET /a\\..\\b HTTP/1.1\r\nHost: a\r\n\r\n", 400); // backslash
        assertRejected("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400);         // broken percent-encoding
        assertRejected("GET / http/1.1\r\nHost: a\r\n\r\n", 400);            // HTTP-name is case-sensitive
        assertRejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);            // RFC 9110 §15.6.6
        assertRejected("GET / HTTP/3.1\r\nHost: a\r\n\r\n", 505);
    }

    @Test
    void garbageRequestLine() throws Exception {
        assertRejected("GARBAGE\r\n\r\n", 400);
    }

    @Test
    void contentLengthAndTransferEncodingTogether() throws Exception {
        assertRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void unknownTransferCodingAndDuplicateOrMissingHost() throws Exception {
        assertRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400);
        assertRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
        assertRejected("GET / HTTP/1.1\r\n\r\n", 400);
        assertRejected("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 400);
    }

    @Test
    void headersOver60KiBGet431() throws Exception {
        assertRejected("GET / HTTP/1.1\r\nHost: a\r\nx-big: " + "a".repeat(61 * 1024) + "\r\n\r\n", 431);
    }

    @Test
    void moreThanAHundredHeaderFieldsGet431() throws Exception {
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 150; i++) {
            many.append("x-h").append(i).append(": v\r\n");
        }
        assertRejected(many.append("\r\n").toString(), 431);
    }

    @Test
    void overlongRequestLineGets414() throws Exception {
        assertRejected("GET /" + "a".repeat(20 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void aGoodRequestStillWorksAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        String response = raw("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        int one = response.indexOf("GET /one");
        int two = response.indexOf("GET /two");
        assertThat(one).isPositive();
        assertThat(two).isGreaterThan(one);
        assertThat(response.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    }
}
