package io.outrigger.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive HTTP/1.1 origin that closes a connection after it has been idle for {@code idleMs} — without
 * announcing it (no {@code Keep-Alive: timeout}), like many servers do — so a proxy that reuses the
 * connection at the wrong moment sees it die under its request (the stale keep-alive race).
 * Answers GET requests without a body with {@code 200 ok}.
 */
final class IdleClosingOrigin implements AutoCloseable {
    private final ServerSocket server;
    private final int idleMs;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();

    IdleClosingOrigin(int idleMs) throws IOException {
        this.idleMs = idleMs;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "idle-closing-origin");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            // a fresh connection waits for its first request as real servers do (seconds); only a kept-alive one
            // closes after idleMs: on a loaded machine the proxy's first write may come later than idleMs
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                if (!readHead(in)) {
                    return;
                }
                s.setSoTimeout(idleMs);
                requests.incrementAndGet();
                out.write("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // idle timeout or peer gone: the connection just closes
        }
    }

    // Reads one request head; false on EOF or idle timeout before its first byte.
    private static boolean readHead(InputStream in) throws IOException {
        int state = 0;
        boolean any = false;
        while (state < 4) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                if (!any) {
                    return false;
                }
                throw e;
            }
            if (b < 0) {
                return false;
            }
            any = true;
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
