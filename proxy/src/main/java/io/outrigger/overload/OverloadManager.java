package io.outrigger.overload;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.outrigger.config.OverloadManagerConfig;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's overload manager for a JVM: reads memory pressure every {@code refresh_interval} and switches the
 * configured actions on at their thresholds (and off below them). Two resources, each a fraction of its limit:
 * <ul>
 *   <li>heap: bytes in use right after the latest garbage collection (read from the heap's memory pools, so garbage
 *       not yet collected does not count: {@link HeapAfterGc}) over the maximum heap ({@code -Xmx});</li>
 *   <li>direct memory: bytes the pooled buffer allocator holds in its arenas over the maximum direct memory
 *       ({@code -XX:MaxDirectMemorySize}, by default the maximum heap).</li>
 * </ul>
 * Actions read the higher of the two. Runs on a scheduler thread; the request path only reads volatile flags.
 */
public final class OverloadManager implements OverloadState, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverloadManager.class);

    private final OverloadManagerConfig config;
    private final DoubleSupplier heapPressure;
    private final DoubleSupplier directPressure;
    private volatile double pressure;
    private volatile boolean disableKeepalive;
    private volatile boolean stopRequests;
    private volatile boolean stopConnections;
    private ScheduledFuture<?> task;

    /** With the JVM's own heap and direct-memory readings. */
    public OverloadManager(OverloadManagerConfig config) {
        this.config = config;
        this.heapPressure = new HeapAfterGc();
        this.directPressure = OverloadManager::directMemoryPressure;
    }

    /** With given readings (tests). Each supplier returns a fraction, 0 to 1 (or above when over the limit). */
    public OverloadManager(OverloadManagerConfig config, DoubleSupplier heapPressure, DoubleSupplier directPressure) {
        this.config = config;
        this.heapPressure = heapPressure;
        this.directPressure = directPressure;
    }

    /** Starts reading every {@code refresh_interval} on {@code scheduler}. */
    public void start(ScheduledExecutorService scheduler) {
        long ms = config.refreshInterval().toMillis();
        task = scheduler.scheduleAtFixedRate(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Reads the pressure once and sets the actions (the scheduled task's body). */
    public void refresh() {
        double p = Math.max(heapPressure.getAsDouble(), directPressure.getAsDouble());
        pressure = p;
        boolean keepalive = active(p, config.disableHttpKeepalive());
        boolean requests = active(p, config.stopAcceptingRequests());
        boolean connections = active(p, config.stopAcceptingConnections());
        if (keepalive != disableKeepalive || requests != stopRequests || connections != stopConnections) {
            log.warn("overload manager: memory pressure {}%: disable_http_keepalive={}, stop_accepting_requests={}, "
                    + "stop_accepting_connections={}", Math.round(p * 100), keepalive, requests, connections);
        }
        disableKeepalive = keepalive;
        stopRequests = requests;
        stopConnections = connections;
    }

    private static boolean active(double pressure, double threshold) {
        return threshold > 0 && pressure >= threshold;
    }

    /** The latest pressure read, 0 to 1. */
    public double pressure() {
        return pressure;
    }

    @Override
    public boolean disableHttpKeepalive() {
        return disableKeepalive;
    }

    @Override
    public boolean stopAcceptingRequests() {
        return stopRequests;
    }

    @Override
    public boolean stopAcceptingConnections() {
        return stopConnections;
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }

    static double directMemoryPressure() {
        long max = PlatformDependent.maxDirectMemory();
        long used = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        return max <= 0 ? 0 : (double) used / max;
    }
}
