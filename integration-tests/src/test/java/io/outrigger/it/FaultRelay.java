package io.outrigger.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fault-injecting TCP relay between the proxy and a real origin (test code; the faults are what networks and
 * origins do to a sidecar). Each accepted connection takes the fault set when it was accepted, for the next
 * {@code count} connections; later connections pass through untouched. Faults act on the origin's answer
 * (origin → proxy) unless said otherwise.
 */
final class FaultRelay implements AutoCloseable {
    enum Fault {
        /** Pass through. */
        NONE,
        /** Every chunk of the answer waits {@code param} ms. */
        LATENCY,
        /** The answer flows at {@code param} bytes per second. */
        BANDWIDTH,
        /** The answer's head (up to the blank line) passes; nothing after it, and the connection stays open. */
        STALL_AFTER_HEADERS,
        /** After {@code param} bytes of the answer, the connection is reset (RST, SO_LINGER 0). */
        RESET_MID_BODY,
        /** The request reaches the origin, then the relay half-closes towards the proxy (FIN) before any answer. */
        HALF_CLOSE_BEFORE_RESPONSE,
        /** Accepts, reads the request and never answers nor closes (no origin behind it). */
        BLACKHOLE,
        /** Accepts and never reads nor answers: the proxy's writes fill the socket buffers and stop (backpressure). */
        NO_READ
    }

    private final ServerSocket server;
    private final int target;
    private volatile Fault fault = Fault.NONE;
    private volatile long param;
    private final AtomicInteger remaining = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    private final java.util.List<Socket> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    FaultRelay(int targetPort) throws IOException {
        this.target = targetPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-relay-accept");
        t.setDaemon(true);
        t.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The next {@code count} connections get {@code f} with {@code param}; later ones pass through. */
    void inject(Fault f, long param, int count) {
        this.fault = f;
        this.param = param;
        this.remaining.set(count);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket proxy = server.accept();
                accepted.incrementAndGet();
                Fault f = remaining.getAndDecrement() > 0 ? fault : Fault.NONE;
                long p = param;
                if (f == Fault.BLACKHOLE) {
                    thread(() -> drain(proxy));
                    continue;
                }
                if (f == Fault.NO_READ) {
                    held.add(proxy); // kept open, never read, closed with the relay
                    continue;
                }
                Socket origin = new Socket(InetAddress.getLoopbackAddress(), target);
                thread(() -> requestPipe(proxy, origin, f));
                thread(() -> answerPipe(origin, proxy, f, p));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "fault-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void drain(Socket s) {
        try (InputStream in = s.getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream()); // until the proxy gives up and closes
        } catch (IOException ignored) {
            // closed
        } finally {
            closeQuietly(s);
        }
    }

    private static void requestPipe(Socket proxy, Socket origin, Fault f) {
        byte[] buf = new byte[16384];
        try (InputStream in = proxy.getInputStream(); OutputStream out = origin.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
                if (f == Fault.HALF_CLOSE_BEFORE_RESPONSE) {
                    Thread.sleep(100); // the request is at the origin; now the path towards the proxy closes
                    proxy.shutdownOutput();
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // either side went away
        } finally {
            closeQuietly(origin);
        }
    }

    private static void answerPipe(Socket origin, Socket proxy, Fault f, long p) {
        byte[] buf = new byte[f == Fault.BANDWIDTH ? (int) Math.max(1, Math.min(16384, p / 10)) : 16384];
        long forwarded = 0;
        StringBuilder head = new StringBuilder();
        boolean stalled = false;
        try (InputStream in = origin.getInputStream(); OutputStream out = proxy.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                switch (f) {
                    case HALF_CLOSE_BEFORE_RESPONSE:
                        continue; // nothing goes back
                    case LATENCY:
                        Thread.sleep(p);
                        break;
                    case BANDWIDTH:
                        Thread.sleep(n * 1000L / p);
                        break;
                    case STALL_AFTER_HEADERS:
                        if (stalled) {
                            continue;
                        }
                        for (int i = 0; i < n; i++) {
                            head.append((char) buf[i]);
                            if (head.toString().endsWith("\r\n\r\n")) {
                                out.write(buf, 0, i + 1);
                                out.flush();
                                stalled = true;
                                break;
                            }
                        }
                        continue;
                    case RESET_MID_BODY:
                        if (forwarded + n >= p) {
                            out.write(buf, 0, (int) (p - forwarded));
                            out.flush();
                            proxy.setSoLinger(true, 0);
                            proxy.close(); // RST
                            return;
                        }
                        break;
                    default:
                        break;
                }
                out.write(buf, 0, n);
                out.flush();
                forwarded += n;
            }
        } catch (IOException | InterruptedException ignored) {
            // either side went away
        } finally {
            if (f != Fault.STALL_AFTER_HEADERS) {
                closeQuietly(proxy);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        held.forEach(FaultRelay::closeQuietly);
    }
}
