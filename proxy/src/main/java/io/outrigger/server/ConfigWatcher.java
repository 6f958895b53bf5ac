package io.outrigger.server;

import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.OutriggerConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file into a running server: when the file changes (its directory is watched, so a Kubernetes
 * ConfigMap's {@code ..data} symlink swap is seen too; events within {@link #DEBOUNCE_MS} are one change, and a file
 * whose bytes did not change is not reloaded), on {@code SIGHUP}, and on admin {@code POST /reload}. Files are read,
 * parsed and validated on one thread of its own, never an event loop; a bad file leaves the running config untouched
 * and is logged with its {@code file:line:column} errors. Counted as {@code server.config_reload} (applied) and
 * {@code server.config_reload_failed}.
 */
public final class ConfigWatcher implements AutoCloseable {
    /** Quiet time after the last file event before the file is read, ms. */
    static final long DEBOUNCE_MS = 200;
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    /** Reads and validates the file: the config with its filter chains. */
    @FunctionalInterface
    public interface Loader {
        /** @throws ConfigException with every located error */
        Prepared load() throws ConfigException;
    }

    /** A validated config and its HTTP filter chains. */
    public record Prepared(OutriggerConfig config, FilterChains filters) {
    }

    /**
     * Reads and applies in one step, where another source applies configs too (the xDS client composes the file with
     * its resources on its own thread, so the two never interleave).
     */
    @FunctionalInterface
    public interface Reloader {
        /** @throws ConfigException with every located error; nothing was applied */
        ReloadResult reload() throws ConfigException;
    }

    private volatile Reloader reloader;

    /** Reloads through {@code r} from now on, instead of reading with the loader and applying here. */
    public ConfigWatcher reloadThrough(Reloader r) {
        this.reloader = r;
        return this;
    }

    private final Path file;
    private final Loader loader;
    private final OutriggerServer server;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outrigger-config");
        t.setDaemon(true);
        return t;
    });
    private final LongAdder applied = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile ReloadResult last;
    private byte[] lastBytes; // the config thread's
    private ScheduledFuture<?> pending; // the config thread's
    private WatchService watch;
    private final String name; // the config file's name in its directory

    /**
     * @param file   the config file the server was started with (its current bytes are the baseline)
     * @param loader reads and validates {@code file}
     */
    public ConfigWatcher(Path file, Loader loader, OutriggerServer server) {
        this.file = file;
        this.name = file.getFileName().toString();
        this.loader = loader;
        this.server = server;
        try {
            lastBytes = Files.readAllBytes(file);
        } catch (IOException e) {
            lastBytes = null;
        }
    }

    /** Starts watching the file's directory (a daemon thread blocks on the watch service). */
    public ConfigWatcher watch() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        watch = dir.getFileSystem().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        Thread t = new Thread(this::watchLoop, "outrigger-config-watch");
        t.setDaemon(true);
        t.start();
        return this;
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = false;
                for (var event : key.pollEvents()) {
                    // the file itself, or a Kubernetes ConfigMap's ..data / ..TIMESTAMP entries; an overflow may hide either
                    ours |= event.context() == null || event.kind() == StandardWatchEventKinds.OVERFLOW
                            || event.context().toString().equals(name) || event.context().toString().startsWith("..");
                }
                key.reset();
                if (!ours) {
                    continue; // another file in the directory (a log, say)
                }
                thread.execute(() -> {
                    if (pending != null) {
                        pending.cancel(false);
                    }
                    pending = thread.schedule(() -> reloadNow("file change", true), DEBOUNCE_MS, TimeUnit.MILLISECONDS);
                });
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /**
     * Reloads now (SIGHUP, {@code POST /reload}), even if the file's bytes did not change.
     *
     * @param trigger for the log, e.g. {@code SIGHUP}
     * @return completes on the config thread with the outcome
     */
    public CompletableFuture<ReloadResult> reload(String trigger) {
        return CompletableFuture.supplyAsync(() -> reloadNow(trigger, false), thread);
    }

    private ReloadResult reloadNow(String trigger, boolean onlyIfBytesChanged) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return fail(trigger, List.of(file + ": cannot be read: " + e.getMessage()));
        }
        if (onlyIfBytesChanged && Arrays.equals(bytes, lastBytes)) {
            return last;
        }
        lastBytes = bytes;
        ReloadResult r;
        try {
            Reloader through = reloader;
            if (through != null) {
                r = through.reload();
            } else {
                Prepared p = loader.load();
                r = server.apply(p.config(), p.filters());
            }
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError err : e.errors()) {
                errors.add(err.toString());
            }
            return fail(trigger, errors);
        }
        if (r.outcome() == ReloadResult.Outcome.REJECTED) {
            failed.increment();
        } else if (r.outcome() == ReloadResult.Outcome.APPLIED) {
            applied.increment();
        } else {
            log.info("config reload ({}): {} means the same as version {}; nothing changed", trigger, file, r.version());
        }
        last = r;
        return r;
    }

    private ReloadResult fail(String trigger, List<String> errors) {
        failed.increment();
        log.warn("config reload ({}) rejected; version {} keeps running:\n  {}", trigger, server.configVersion(),
                String.join("\n  ", errors));
        last = ReloadResult.rejected(server.configVersion(), errors);
        return last;
    }

    /** Reloads applied. */
    public long applied() {
        return applied.sum();
    }

    /** Reloads rejected (the running config stayed). */
    public long failed() {
        return failed.sum();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
