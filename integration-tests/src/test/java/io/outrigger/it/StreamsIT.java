package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long-lived streams through the default route timeout (15 s): WebSocket with the JDK's client against Netty's
 * WebSocket server, and server-sent events from a JDK {@code HttpServer}; the stream idle timeout and the SSE
 * keepalive; {@code upgrade_configs} turning WebSocket off.
 */
class StreamsIT {
    static WebSocketOrigin ws;
    static ConnectOrigin connectOrigin;
    static Origin origin;
    static ProxyProcess proxy;
    static String base;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        ws = new WebSocketOrigin();
        connectOrigin = new ConnectOrigin();
        origin = new Origin("sse");
        proxy = ProxyProcess.start("streams", ProxyProcess.mainListenerConfig("""
                - { match: { prefix: /ws }, route: { cluster: ws, timeout: 1s } }
                - { match: { prefix: /idle/ }, route: { cluster: ws, idle_timeout: 1s, prefix_rewrite: / } }
                - { match: { prefix: /no-ws/ }, route: { cluster: ws, prefix_rewrite: /, upgrade_configs: [ { upgrade_type: websocket, enabled: false } ] } }
                - { match: { prefix: /sse-idle/ }, route: { cluster: sse, idle_timeout: 1s, prefix_rewrite: /sse/ } }
                - { match: { prefix: /sse-keepalive/ }, route: { cluster: sse, sse_keepalive_interval: 200ms, prefix_rewrite: /sse/ } }
                - { match: { prefix: /limited/ }, route: { cluster: sse, max_stream_duration: { max_stream_duration: 1s }, prefix_rewrite: /sse/ } }
                - { match: { connect_matcher: {}, headers: [ { name: x-tunnel, exact: "yes" } ] }, route: { cluster: tunnel, upgrade_configs: [ { upgrade_type: CONNECT } ] } }
                - { match: { connect_matcher: {} }, route: { cluster: tunnel } }
                - { match: { prefix: / }, route: { cluster: sse } }
                """, """
                - { name: ws, endpoints: [ %s ] }
                - { name: sse, endpoints: [ %s ] }
                - { name: tunnel, endpoints: [ %s ] }
                """.formatted(ws.address(), origin.address(), connectOrigin.address())));
        base = "127.0.0.1:" + proxy.port("main");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
        ws.close();
        connectOrigin.close();
    }

    /** Collects what a WebSocket receives. */
    static final class Received implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    static WebSocket connect(String path, Received r) {
        return CLIENT.newWebSocketBuilder().buildAsync(URI.create("ws://" + base + path), r).join();
    }

    @Test
    void webSocketEchoesTextAndOneMiBBinaryAndStaysOpenPastTheRouteTimeout() throws Exception {
        Received r = new Received();
        WebSocket w = connect("/ws", r);
        w.sendText("hello", true).join();
        assertThat(r.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        w.sendBinary(ByteBuffer.wrap(big), true).join();
        assertThat((byte[]) r.messages.poll(10, TimeUnit.SECONDS)).isEqualTo(big);
        // the route timeout is 1 s: an idle WebSocket must outlive it (the upgrade met it at the 101)
        w.sendText("delay:2500:still here", true).join();
        assertThat(r.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");
        w.sendClose(4001, "client done").join();
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4001); // the origin's answer came back through
    }

    @Test
    void aCloseFromTheOriginReachesTheClient() throws Exception {
        Received r = new Received();
        WebSocket w = connect("/ws", r);
        w.sendText("close:4002", true).join();
        assertThat(r.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4002);
    }

    @Test
    void anIdleWebSocketIsClosedByTheRouteIdleTimeoutWithFlagSI() throws Exception {
        Received r = new Received();
        long start = System.nanoTime();
        connect("/idle/ws", r);
        // the proxy ends the tunnel without a close frame: the client reports 1006 (abnormal closure) or an I/O error
        int code = r.closed.handle((c, e) -> c == null ? -1 : c).get(10, TimeUnit.SECONDS);
        assertThat(code).isIn(1006, -1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 8000L);
        assertThat(proxy.awaitLog(line -> line.contains("GET /idle/ws") && line.contains(" SI "))).isTrue();
        assertThat(stat("http.main.downstream_rq_idle_timeout")).isPositive(); // a counter tells the timeouts apart too
    }

    @Test
    void webSocketOverHttp2ExtendedConnectIsBridgedToAnHttp11Upgrade() throws Exception {
        java.nio.file.Path script = java.nio.file.Path.of("src/test/resources/rfc8441_client.py").toAbsolutePath();
        String[] hostPort = base.split(":");
        Cmd r = Cmd.run(30, "/usr/bin/python3", script.toString(), hostPort[0], hostPort[1], "/ws", "hello over h2");
        assertThat(r.out()).as(r.err()).isEqualTo("enable_connect_protocol 1\nstatus 200\necho hello over h2\n");
    }

    @Test
    void connectTunnelsBytesWhereEnabledAndIsRefusedByDefault() throws Exception {
        String[] hp = base.split(":");
        try (java.net.Socket s = new java.net.Socket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            java.io.OutputStream out = s.getOutputStream();
            java.io.InputStream in = s.getInputStream();
            out.write("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\nx-tunnel: yes\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            byte[] payload = "not http at all\u0000\u0001\u0002".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            out.write(payload);
            out.flush();
            assertThat(in.readNBytes(payload.length)).isEqualTo(payload); // echoed through the tunnel, untouched
        }
        assertThat(connectOrigin.requestLines).contains("CONNECT db.internal:5432 HTTP/1.1");
        // without upgrade_configs: [ { upgrade_type: CONNECT } ] on the route, CONNECT is refused (off by default)
        try (java.net.Socket s = new java.net.Socket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 403");
        }
    }

    static long stat(String name) throws Exception {
        for (String line : proxy.adminGet("/stats").body().split("\n")) {
            if (line.startsWith(name + ": ")) {
                return Long.parseLong(line.substring(name.length() + 2).trim());
            }
        }
        throw new AssertionError("no stat " + name);
    }

    private static String readHead(java.io.InputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void upgradeConfigsCanTurnWebSocketOff() {
        assertThatThrownBy(() -> connect("/no-ws/ws", new Received()))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(403));
    }

    @Test
    void serverSentEventsFlowForThirtySecondsThroughTheDefaultRouteTimeout() throws Exception {
        HttpResponse<Stream<String>> resp = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + base + "/sse/15/2000"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(resp.statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        List<Long> arrivals = new ArrayList<>();
        Iterator<String> lines = resp.body().iterator();
        while (lines.hasNext()) {
            if (lines.next().startsWith("data: ")) {
                arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
        assertThat(arrivals).hasSize(15); // all 15 events, the last ~30 s in: nothing cut the stream at 15 s
        for (int i = 0; i < arrivals.size(); i++) {
            // event i is sent 2 s × (i + 1) after the request; each arrives as it is sent, not batched
            assertThat(arrivals.get(i)).as("event %d of %s", i, arrivals).isBetween(2000L * i + 500, 2000L * (i + 1) + 1500);
        }
    }

    @Test
    void maxStreamDurationEndsABusyStreamWithFlagUMSDR() throws Exception {
        long start = System.nanoTime();
        HttpResponse<Stream<String>> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + base + "/limited/20/300"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        List<String> got = new ArrayList<>();
        try {
            r.body().forEach(got::add);
        } catch (java.io.UncheckedIOException e) {
            // the reset of an unfinished response surfaces as an I/O error: expected
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // events every 300 ms never let the stream go idle: only max_stream_duration (1 s) ends it
        assertThat(got.stream().filter(l -> l.startsWith("data:")).count()).isBetween(1L, 4L);
        assertThat(ms).isBetween(900L, 3000L);
        assertThat(proxy.awaitLog(line -> line.contains("GET /limited/") && line.contains(" UMSDR "))).isTrue();
        assertThat(stat("cluster.sse.upstream_rq_max_duration_reached")).isEqualTo(1);
        assertThat(stat("cluster.sse.upstream_rq_timeout")).isZero(); // the 15 s route timeout was met at the headers
    }

    @Test
    void aSilentEventStreamEndsAtTheIdleTimeoutOrGetsKeepaliveComments() throws Exception {
        // idle_timeout 1 s, events every 3 s: the stream is ended (reset) before the first event
        long start = System.nanoTime();
        HttpResponse<Stream<String>> idle = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + base + "/sse-idle/3/3000"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        List<String> got = new ArrayList<>();
        try {
            idle.body().forEach(got::add);
        } catch (java.io.UncheckedIOException e) {
            // the reset of a chunked response surfaces as an I/O error: expected
        }
        assertThat(got).noneMatch(l -> l.startsWith("data:"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2900);
        assertThat(proxy.awaitLog(line -> line.contains("GET /sse-idle/") && line.contains(" SI "))).isTrue();

        // sse_keepalive_interval 200 ms, events every 1 s: comment lines (":") keep the stream alive in between
        HttpResponse<Stream<String>> kept = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + base + "/sse-keepalive/2/1000"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        List<String> lines = kept.body().toList();
        assertThat(lines).filteredOn(l -> l.startsWith("data:")).containsExactly("data: 0", "data: 1");
        assertThat(lines).filteredOn(l -> l.equals(":")).hasSizeGreaterThanOrEqualTo(4);
    }
}
