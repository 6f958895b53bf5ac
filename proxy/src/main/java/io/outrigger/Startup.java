package io.outrigger;

/**
 * Process start-up plumbing shared by the commands that run the proxy ({@code run}, {@code demo}): JVM-wide defaults
 * and the initialisation that does not depend on the command line, begun on a second thread while picocli parses it.
 */
public final class Startup {
    private static final Thread PREINIT = new Thread(Startup::preinitialise, "outrigger-preinit");

    private Startup() {
    }

    /**
     * Called first in {@code main}. Netty 4.2's buffer events for JDK Flight Recorder go off unless
     * {@code -Dio.netty.jfr.enabled=true} (loading {@code jdk.jfr} costs start time and metaspace in every process).
     * For a command that runs the proxy, Logback with the {@code java.util.logging} bridge and Netty's native transport
     * and buffer pools initialise on a second thread (class loading and static initialisers, ~200 ms single-threaded);
     * {@link #awaitPreinitialised} joins it before the command touches Netty itself, as two threads entering Netty's
     * static initialisers from different ends could deadlock on their cycles. On one core nothing is gained, and
     * nothing lost but a thread. Other commands install the bridge at once.
     *
     * <p>Netty's object pools keep a per-thread batch of {@code io.netty.recycler.chunkSize} returned objects (pooled
     * buffers, their cache entries); a return that finds the batch full asks {@code Thread.getState()} whether the
     * owning thread ended (a VM call) before queueing the object. With Netty's default of 32, a worker serving dozens
     * of connections overflowed it on most returns: 2 % of the process's CPU under HTTP/1.1 load went to
     * {@code getState}. The default here is 256 (a {@code -D} given on the command line wins). And the pools are off
     * by default ({@code io.netty.recycler.maxCapacityPerThread=0}): every buffer's wrapper object is then a new young
     * object instead of one taken from and returned through the pool's queue, which measured cheaper — proxy CPU per
     * request −3 to −7 % on h2c (three runs), −5 % on HTTP/2 over TLS, −3 % on gRPC, unchanged on HTTP/1.1
     * ({@code bench/ab.sh}: two processes on one core, alternating loads); buffer memory stays pooled by the
     * allocator's arenas either way.
     *
     * @param runsProxy whether the command starts listeners
     */
    static void begin(boolean runsProxy) {
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        if (System.getProperty("io.netty.recycler.chunkSize") == null) {
            System.setProperty("io.netty.recycler.chunkSize", "256");
        }
        if (System.getProperty("io.netty.recycler.maxCapacityPerThread") == null) {
            System.setProperty("io.netty.recycler.maxCapacityPerThread", "0");
        }
        if (runsProxy) {
            PREINIT.setDaemon(true);
            PREINIT.start();
        } else {
            installJulBridge();
        }
    }

    /** Waits for the work {@link #begin} started on the second thread (returns at once if none was started). */
    public static void awaitPreinitialised() {
        if (PREINIT.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                PREINIT.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Libraries that log through java.util.logging (the OpenTelemetry SDK, the Zipkin sender, gRPC) go to Logback. */
    private static void installJulBridge() {
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }

    private static void preinitialise() {
        installJulBridge();
        org.slf4j.LoggerFactory.getILoggerFactory();
        io.netty.channel.epoll.Epoll.isAvailable();
        io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
    }
}
