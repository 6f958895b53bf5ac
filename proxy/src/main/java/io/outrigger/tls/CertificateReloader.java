package io.outrigger.tls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls the TLS files of every listener on one background thread (never an event loop) and publishes
 * new certificates when their content changes. Polling, unlike file-system events, also sees the
 * Kubernetes secret-volume update, where a {@code ..data} symlink is swapped atomically.
 */
public final class CertificateReloader implements AutoCloseable {
    /** How often files are checked; {@code -Doutrigger.tls.reload_interval_ms} overrides. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final ScheduledExecutorService executor;

    private CertificateReloader(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Starts polling {@code listeners}; returns {@code null} when there is nothing to watch. */
    public static CertificateReloader start(List<ServerTlsContexts> listeners) {
        if (listeners.isEmpty()) {
            return null;
        }
        long ms = Long.getLong("outrigger.tls.reload_interval_ms", DEFAULT_INTERVAL.toMillis());
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outrigger-tls-reload");
            t.setDaemon(true);
            return t;
        });
        ex.scheduleWithFixedDelay(() -> listeners.forEach(ServerTlsContexts::reloadIfChanged), ms, ms, TimeUnit.MILLISECONDS);
        return new CertificateReloader(ex);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
