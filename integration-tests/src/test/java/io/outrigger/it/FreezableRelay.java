package io.outrigger.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback in front of a real server that can be frozen: while frozen it forwards nothing either way
 * but keeps every connection open, as a peer that hangs (or a network path that blackholes) does. Counts the
 * connections the client side closed.
 */
final class FreezableRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private volatile boolean frozen;
    final AtomicInteger closedByClient = new AtomicInteger();

    FreezableRelay(int targetPort) throws IOException {
        this.target = targetPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "relay-accept");
        t.setDaemon(true);
        t.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    void freeze(boolean on) {
        frozen = on;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                pipe(client, upstream, true);
                pipe(upstream, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (frozen) {
                        held.write(buf, 0, n); // the peer hangs: hold the bytes, but keep reading to see a close
                        continue;
                    }
                    held.writeTo(out);
                    held.reset();
                    out.write(buf, 0, n);
                    out.flush();
                }
                if (fromClient) {
                    closedByClient.incrementAndGet();
                }
            } catch (IOException e) {
                if (fromClient) {
                    closedByClient.incrementAndGet();
                }
            } finally {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }, "relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
