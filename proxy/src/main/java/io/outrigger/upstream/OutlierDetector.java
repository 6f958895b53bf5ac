package io.outrigger.upstream;

import io.outrigger.config.OutlierDetectionConfig;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection for one cluster (Envoy's consecutive-5xx and consecutive-gateway-failure
 * detectors). Workers report outcomes with atomic increments only; ejection and its end are decided on the
 * maintenance thread, which also rebuilds the host set. An ejection lasts {@code base_ejection_time ×} the
 * host's ejection count, capped at {@code max_ejection_time}; at most {@code max_ejection_percent} of the
 * hosts are ejected at once, but always at least one may be.
 */
public final class OutlierDetector {
    private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);
    private final Cluster cluster;
    private final OutlierDetectionConfig config;
    private final Executor maintenance;
    private final LongSupplier nanoTime;

    public OutlierDetector(Cluster cluster, OutlierDetectionConfig config, Executor maintenance, LongSupplier nanoTime) {
        this.cluster = cluster;
        this.config = config;
        this.maintenance = maintenance;
        this.nanoTime = nanoTime;
    }

    /** Starts the periodic review that ends ejections. */
    public void start(ScheduledExecutorService scheduler) {
        long ms = config.interval().toMillis();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<?>> self = new java.util.concurrent.atomic.AtomicReference<>();
        self.set(scheduler.scheduleWithFixedDelay(() -> {
            if (cluster.retired()) {
                self.get().cancel(false); // a reload removed or replaced the cluster
                return;
            }
            review();
        }, ms, ms, TimeUnit.MILLISECONDS));
    }

    /** A response from {@code host} (any worker thread). */
    public void reportStatus(Host host, int status) {
        HostHealth h = host.health();
        if (status >= 500) {
            int c5 = h.consecutive5xx.incrementAndGet();
            int gw = status == 502 || status == 503 || status == 504 ? h.consecutiveGatewayFailures.incrementAndGet() : 0;
            if (c5 == config.consecutive5xx() || gw == config.consecutiveGatewayFailure()) {
                maintenance.execute(() -> eject(host, c5 >= config.consecutive5xx() ? "consecutive_5xx" : "consecutive_gateway_failure"));
            }
        } else if (h.consecutive5xx.get() != 0 || h.consecutiveGatewayFailures.get() != 0) {
            h.consecutive5xx.set(0);
            h.consecutiveGatewayFailures.set(0);
        }
    }

    /** A connect failure, reset or timeout with {@code host} (counted as a gateway failure, as Envoy does by default). */
    public void reportFailure(Host host) {
        reportStatus(host, 503);
    }

    // maintenance thread
    void eject(Host host, String reason) {
        HostHealth h = host.health();
        if (h.ejected) {
            return;
        }
        int ejected = 0;
        for (Host other : cluster.hosts()) {
            if (other.health().ejected) {
                ejected++;
            }
        }
        int allowed = Math.max(1, cluster.hosts().size() * config.maxEjectionPercent() / 100);
        h.consecutive5xx.set(0);
        h.consecutiveGatewayFailures.set(0);
        if (ejected >= allowed) {
            log.debug("cluster '{}': not ejecting {} ({}): {} of {} hosts already ejected (max_ejection_percent {})",
                    cluster.name(), host, reason, ejected, cluster.hosts().size(), config.maxEjectionPercent());
            return;
        }
        h.ejectionCount++;
        long ms = Math.min(config.baseEjectionTime().toMillis() * h.ejectionCount, config.maxEjectionTime().toMillis());
        h.ejectedUntilNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(ms);
        h.ejected = true;
        cluster.stats().ejectionsEnforced.increment();
        log.info("cluster '{}': ejecting {} for {}ms ({}, ejection {})", cluster.name(), host, ms, reason, h.ejectionCount);
        cluster.healthChanged(host);
    }

    // maintenance thread
    void review() {
        long now = nanoTime.getAsLong();
        for (Host host : cluster.hosts()) {
            HostHealth h = host.health();
            if (h.ejected && now - h.ejectedUntilNanos >= 0) {
                h.ejected = false;
                h.consecutive5xx.set(0);
                h.consecutiveGatewayFailures.set(0);
                cluster.healthChanged(host);
            }
        }
    }
}
