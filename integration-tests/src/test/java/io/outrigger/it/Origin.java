package io.outrigger.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real origin server on loopback, port 0 (the JDK's {@code HttpServer}, independent of our code):
 * <ul>
 *   <li>{@code GET /...}: {@code origin: NAME} then the request line and headers it received;</li>
 *   <li>{@code GET /bytes/N}: N bytes, streamed chunked;</li>
 *   <li>{@code POST|PUT /upload}: reads the whole body and answers its byte count;</li>
 *   <li>{@code GET /slow/MS}: answers after MS milliseconds;</li>
 *   <li>{@code GET /sse/N/MS}: server-sent events, {@code data: N} every MS milliseconds, N of them, flushed one by
 *       one ({@code text/event-stream});</li>
 *   <li>any request with {@code x-fail-on: NAME} (its own name) or {@code x-fail-on: all}: 503.</li>
 * </ul>
 * It counts requests and remembers the client ports it saw (one per upstream connection).
 */
final class Origin implements AutoCloseable {
    final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(64);
    final AtomicInteger requests = new AtomicInteger();
    /** The Host header of the last request other than a health check. */
    final java.util.concurrent.atomic.AtomicReference<String> lastHost = new java.util.concurrent.atomic.AtomicReference<>();
    final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    Origin(String name) throws IOException {
        this(name, 0);
    }

    /** An origin on a given port (0: any), e.g. to restart a stopped one where it was. */
    Origin(String name, int port) throws IOException {
        this(name, "127.0.0.1", port);
    }

    /** An origin on another loopback address (127.0.0.2, ...: Linux routes all of 127/8 to lo), e.g. for DNS records. */
    Origin(String name, String ip, int port) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ip), port), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String address() {
        return server.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (!"/healthz".equals(ex.getRequestURI().getPath())) {
            lastHost.set(ex.getRequestHeaders().getFirst("Host"));
        }
        clientPorts.add(ex.getRemoteAddress().getPort());
        String path = ex.getRequestURI().getRawPath();
        ex.getResponseHeaders().set("x-origin", name);
        try (ex) {
            String failOn = ex.getRequestHeaders().getFirst("x-fail-on");
            if (name.equals(failOn) || "all".equals(failOn)) {
                drain(ex.getRequestBody());
                send(ex, 503, "origin: " + name + "\nfailing on purpose\n");
            } else if (path.startsWith("/bytes/")) {
                long n = Long.parseLong(path.substring("/bytes/".length()));
                drain(ex.getRequestBody());
                ex.sendResponseHeaders(200, 0);
                byte[] block = new byte[64 * 1024];
                try (OutputStream out = ex.getResponseBody()) {
                    for (long left = n; left > 0; left -= block.length) {
                        out.write(block, 0, (int) Math.min(block.length, left));
                    }
                }
            } else if (path.equals("/upload")) {
                long n = drain(ex.getRequestBody());
                send(ex, 200, "received " + n + "\n");
            } else if (path.startsWith("/sse/")) {
                String[] p = path.substring("/sse/".length()).split("/");
                int n = Integer.parseInt(p[0]);
                long everyMs = Long.parseLong(p[1]);
                drain(ex.getRequestBody());
                ex.getResponseHeaders().set("content-type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int i = 0; i < n; i++) {
                        Thread.sleep(everyMs);
                        out.write(("data: " + i + "\n\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } else if (path.startsWith("/slow/")) {
                drain(ex.getRequestBody());
                Thread.sleep(Long.parseLong(path.substring("/slow/".length())));
                send(ex, 200, "origin: " + name + "\nslow\n");
            } else {
                drain(ex.getRequestBody());
                StringBuilder sb = new StringBuilder("origin: " + name + "\n");
                sb.append(ex.getRequestMethod()).append(' ').append(ex.getRequestURI()).append('\n');
                for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                    for (String v : h.getValue()) {
                        sb.append(h.getKey().toLowerCase()).append(": ").append(v).append('\n');
                    }
                }
                send(ex, 200, sb.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            n += r;
        }
        return n;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "text/plain");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /**
     * Goes away as a terminating server does: stops accepting at once and closes idle connections, but lets
     * responses already started finish (up to 1 s). A response cut between its headers and its body cannot be
     * saved by any streaming proxy, since nothing is retried once headers went downstream.
     */
    void terminate() {
        server.stop(1);
        executor.shutdownNow();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
