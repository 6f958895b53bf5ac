package io.outrigger;

import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.cli.RouteCommands;
import io.outrigger.demo.DemoCommand;
import io.outrigger.filter.HttpFilterRegistry;
import io.outrigger.server.FilterChains;
import io.outrigger.server.OutriggerServer;
import io.outrigger.tls.CertsCommand;
import io.outrigger.tls.TlsValidation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code outrigger} command line. */
@Command(name = "outrigger", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "An Envoy-style HTTP sidecar proxy.")
public final class Main implements Runnable {
    /** The subcommands, in the order the usage message lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(Run.class, Validate.class, WaitReady.class, RouteCommands.Route.class,
            RouteCommands.TestRoutes.class, DemoCommand.class, CertsCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Startup.begin(args.length > 0 && (args[0].equals("run") || args[0].equals("demo")));
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The command line for {@code args}: when {@code args[0]} names a subcommand only that one is built (picocli reads
     * every option of every subcommand it is given by reflection, ~100 ms of each start), otherwise all of them (for
     * the usage message, suggestions and errors).
     */
    static CommandLine commandLine(String[] args) {
        CommandLine line = new CommandLine(new Main());
        Class<?> only = null;
        for (Class<?> c : SUBCOMMANDS) {
            if (args.length > 0 && c.getAnnotation(Command.class).name().equals(args[0])) {
                only = c;
            }
        }
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || only == c) {
                line.addSubcommand(c);
            }
        }
        return line;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A validated config with its HTTP filter chains. */
    public record Loaded(OutriggerConfig config, FilterChains filters) {
    }

    /**
     * Loads and validates a config file, including every HTTP filter's settings.
     *
     * @throws ConfigException listing every error as {@code file:line:column: path: message}
     */
    public static Loaded load(Path file) throws ConfigException {
        return load(file, true);
    }

    /**
     * As {@link #load(Path)}; {@code tlsFiles: false} skips reading certificate and key files ({@code outrigger route}
     * and {@code test-routes} run where the secrets are not).
     *
     * @throws ConfigException listing every error as {@code file:line:column: path: message}
     */
    public static Loaded load(Path file, boolean tlsFiles) throws ConfigException {
        HttpFilterRegistry registry = HttpFilterRegistry.load();
        AtomicReference<FilterChains> filters = new AtomicReference<>();
        OutriggerConfig config = new ConfigLoader().load(file, c -> {
            filters.set(FilterChains.build(c, registry));
            if (tlsFiles) {
                TlsValidation.check(c);
            }
        });
        return new Loaded(config, filters.get());
    }

    /**
     * As {@link #load(Path, boolean)} for a document given as text (the file composed with a control plane's
     * resources); {@code label} names it in errors.
     *
     * @throws ConfigException listing every error
     */
    public static Loaded load(String label, String text) throws ConfigException {
        HttpFilterRegistry registry = HttpFilterRegistry.load();
        AtomicReference<FilterChains> filters = new AtomicReference<>();
        OutriggerConfig config = new ConfigLoader().load(label, text, c -> {
            filters.set(FilterChains.build(c, registry));
            TlsValidation.check(c);
        });
        return new Loaded(config, filters.get());
    }

    /**
     * Starts the xDS client when the config has {@code dynamic_resources}: its ADS cluster's endpoints (resolved now),
     * resources composed with {@code file}.
     *
     * @return the client, or {@code null} without {@code dynamic_resources}
     */
    static io.outrigger.xds.XdsClient startXds(Path file, OutriggerConfig config, OutriggerServer server)
            throws java.net.UnknownHostException {
        io.outrigger.config.DynamicResourcesConfig dynamic = config.dynamicResources();
        if (dynamic == null) {
            return null;
        }
        java.util.List<java.net.InetSocketAddress> controlPlane = new java.util.ArrayList<>();
        io.outrigger.config.ClusterConfig adsCluster = config.cluster(dynamic.adsCluster()).orElseThrow();
        for (io.outrigger.config.EndpointConfig e : adsCluster.endpoints()) {
            controlPlane.add(new java.net.InetSocketAddress(java.net.InetAddress.getByName(e.address().host()), e.address().port()));
        }
        io.outrigger.xds.XdsComposer composer = new io.outrigger.xds.XdsComposer(file, (f, text) -> {
            Loaded l = load(f + " (with xDS resources)", text);
            return new io.outrigger.server.ConfigWatcher.Prepared(l.config(), l.filters());
        });
        io.outrigger.xds.XdsClient client = new io.outrigger.xds.XdsClient(dynamic, composer, server, controlPlane,
                adsCluster.tls(), java.util.random.RandomGenerator.getDefault());
        server.setDynamicSource(client);
        server.metrics().registerXds(client::connected, client::updatesApplied, client::updatesRejected,
                client::streamsOpened);
        return client.start();
    }

    /** Runs the proxy until interrupted (SIGINT/SIGTERM), then stops it at once. */
    public static int runUntilShutdown(OutriggerServer server, Runnable alsoStop) {
        return runUntilShutdown(server, alsoStop, null);
    }

    /**
     * Runs the proxy until SIGTERM, SIGINT or the JVM's shutdown. With {@code drain}, SIGTERM drains first
     * ({@link OutriggerServer#drain}) and the process exits 0; SIGINT (Ctrl-C) always stops at once.
     */
    static int runUntilShutdown(OutriggerServer server, Runnable alsoStop, DrainOptions drain) {
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (closed.compareAndSet(false, true)) {
                server.close();
                alsoStop.run();
                io.outrigger.http.AccessLog.flushAll(1_000); // the last streams' lines
            }
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "outrigger-shutdown"));
        if (drain != null) {
            java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable drainThenExit = () -> {
                try {
                    server.drain(drain.minDrainTime(), drain.drainTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stop.run();
                System.exit(0);
            };
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> {
                if (draining.compareAndSet(false, true)) { // a second SIGTERM changes nothing
                    new Thread(drainThenExit, "outrigger-drain").start();
                }
            });
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * How SIGTERM drains.
     *
     * @param minDrainTime listeners keep accepting this long (Istio's {@code MINIMUM_DRAIN_DURATION})
     * @param drainTime    the process exits by then at the latest (Envoy's {@code --drain-time-s})
     */
    record DrainOptions(java.time.Duration minDrainTime, java.time.Duration drainTime) {
    }

    static int defaultConcurrency() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy with a config file.")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @Option(names = "--concurrency", description = "worker event loops (default: number of CPUs)")
        Integer concurrency;

        @Option(names = "--admin-address-path", description = "write the bound admin address to this file")
        Path adminAddressPath;

        @Option(names = "--drain-time-s", defaultValue = "25", description = "on SIGTERM, exit after at most this many "
                + "seconds even if requests are still in flight (default: ${DEFAULT-VALUE}; below Kubernetes' 30 s "
                + "terminationGracePeriodSeconds)")
        long drainTimeS;

        @Option(names = "--min-drain-time-s", defaultValue = "5", description = "on SIGTERM, keep accepting connections "
                + "this many seconds (while endpoints leave the Service), then exit as soon as none is open (default: "
                + "${DEFAULT-VALUE})")
        long minDrainTimeS;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Startup.awaitPreinitialised();
            Loaded loaded;
            try {
                loaded = load(config);
            } catch (ConfigException e) {
                return printErrors(spec, e, config);
            }
            for (io.outrigger.config.ConfigError w : loaded.config().warnings()) {
                org.slf4j.LoggerFactory.getLogger(Main.class).warn("config: {}", warning(w));
            }
            int workers = concurrency == null ? defaultConcurrency() : Math.max(1, concurrency);
            OutriggerServer server = OutriggerServer.start(loaded.config(), loaded.filters(), workers, adminAddressPath);
            io.outrigger.xds.XdsClient xds = startXds(config, loaded.config(), server);
            io.outrigger.server.ConfigWatcher watcher = new io.outrigger.server.ConfigWatcher(config, () -> {
                Loaded l = load(config);
                return new io.outrigger.server.ConfigWatcher.Prepared(l.config(), l.filters());
            }, server);
            if (xds != null) { // the file's changes apply together with the control plane's resources in force
                watcher.reloadThrough(() -> {
                    try {
                        return xds.reloadFile();
                    } catch (io.outrigger.xds.XdsException e) {
                        throw new ConfigException(java.util.List.of(new io.outrigger.config.ConfigError(config.toString(),
                                1, 1, "", e.getMessage())));
                    }
                });
            }
            watcher.watch();
            server.setConfigWatcher(watcher);
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> watcher.reload("SIGHUP"));
            return runUntilShutdown(server, () -> { }, new DrainOptions(java.time.Duration.ofSeconds(Math.max(0, minDrainTimeS)),
                    java.time.Duration.ofSeconds(Math.max(0, drainTimeS))));
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a config file; print every error and exit 1, or a summary and exit 0.")
    static final class Validate implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                Loaded loaded = load(config);
                OutriggerConfig c = loaded.config();
                long routes = c.listeners().stream().flatMap(l -> l.virtualHosts().stream())
                        .mapToLong(v -> v.routes().size()).sum();
                for (io.outrigger.config.ConfigError w : c.warnings()) {
                    spec.commandLine().getOut().println(warning(w));
                }
                spec.commandLine().getOut().printf("%s: valid (%d listeners, %d routes, %d clusters)%s%n",
                        config, c.listeners().size(), routes, c.clusters().size(),
                        c.warnings().isEmpty() ? "" : ", " + c.warnings().size() + " warning(s)");
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                return printErrors(spec, e, config);
            }
        }
    }

    /** A warning as {@code file:line:column: path: warning: message}. */
    static String warning(io.outrigger.config.ConfigError w) {
        return w.file() + ':' + w.line() + ':' + w.column() + ": " + (w.path().isEmpty() ? "" : w.path() + ": ")
                + "warning: " + w.message();
    }

    /** Prints every config error, one per line, and a count; returns the exit code 1. */
    static int printErrors(CommandLine.Model.CommandSpec spec, ConfigException e, Path config) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(e.getMessage());
        err.println(e.errors().size() + " error(s) in " + config);
        err.flush();
        return 1;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"outrigger " + Version.get() + " (netty " + io.netty.util.Version.identify().values()
                    .stream().filter(v -> v.artifactId().equals("netty-common")).map(v -> v.artifactVersion())
                    .findFirst().orElse("?") + ", java " + System.getProperty("java.version") + ")"};
        }
    }
}
