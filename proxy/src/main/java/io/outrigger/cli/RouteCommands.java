package io.outrigger.cli;

import io.outrigger.config.ConfigException;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.router.RouteExplainer;
import io.outrigger.router.RouteExplanation;
import io.outrigger.router.RouteTable;
import io.outrigger.router.RouteTests;
import io.outrigger.upstream.ClusterManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outrigger route} and {@code outrigger test-routes}: routing questions answered offline from a config file.
 * They read the config as {@code validate} does but load no TLS material, so they run in a CI without secrets.
 */
public final class RouteCommands {
    private RouteCommands() {
    }

    /** Loads a config with every check except the TLS files'. */
    static OutriggerConfig load(Path file) throws ConfigException {
        return io.outrigger.Main.load(file, false).config();
    }

    /** The listener named {@code name}, or the first; {@code null} (and a message) when the name is unknown. */
    static ListenerConfig listener(OutriggerConfig config, String name, PrintWriter err) {
        for (ListenerConfig l : config.listeners()) {
            if (name == null || l.name().equals(name)) {
                return l;
            }
        }
        err.println("unknown listener '" + name + "' (known: "
                + String.join(", ", config.listeners().stream().map(ListenerConfig::name).toList()) + ")");
        return null;
    }

    static int configErrors(CommandLine.Model.CommandSpec spec, ConfigException e, Path config) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(e.getMessage());
        err.println(e.errors().size() + " error(s) in " + config);
        err.flush();
        return 2;
    }

    @Command(name = "route", mixinStandardHelpOptions = true,
            description = {"Explain where a request would go: the virtual host and why, every route considered with the "
                    + "first condition that failed, the route taken, its hash key and the hosts picked, timeouts "
                    + "and retries.", "Exit 0 when a route matches, 1 when none does (404), 2 on a bad config."})
    public static final class Route implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @Option(names = {"-r", "--request"}, required = true, description = "'METHOD http://host/path?query'")
        String request;

        @Option(names = {"-H", "--header"}, description = "a request header, 'name: value' (repeatable)")
        List<String> headers = new ArrayList<>();

        @Option(names = {"-l", "--listener"}, description = "the listener whose routes to use (default: the first)")
        String listener;

        @Option(names = "--source-ip", description = "the caller's IP, for source_ip hash policies")
        String sourceIp;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            OutriggerConfig c;
            try {
                c = load(config);
            } catch (ConfigException e) {
                return configErrors(spec, e, config);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ListenerConfig l = listener(c, listener, err);
            if (l == null) {
                err.flush();
                return 2;
            }
            RouteExplanation e;
            try {
                RouteExplainer.Input in = RouteExplainer.Input.parse(request, headers,
                        sourceIp == null ? null : new InetSocketAddress(sourceIp, 0));
                e = RouteExplainer.explain(RouteTable.build(l), l.name(), in, ClusterManager.buildForExplaining(c)::get);
            } catch (IllegalArgumentException ex) {
                err.println(ex.getMessage());
                err.flush();
                return 2;
            }
            out.print(json ? e.json() + "\n" : e.text());
            out.flush();
            return e.routed() ? 0 : 1;
        }
    }

    @Command(name = "test-routes", mixinStandardHelpOptions = true,
            description = {"Run route tests written for Envoy's router_check_tool (YAML or JSON) against a config: "
                    + "PASS/FAIL per test, then the routes no test covered.",
                    "Exit 0 when every test passes, 1 when one fails, 2 on a bad config or test file."})
    public static final class TestRoutes implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, description = "YAML config file")
        Path config;

        @Parameters(index = "0", description = "the tests file")
        Path tests;

        @Option(names = {"-l", "--listener"}, description = "the listener whose routes to test (default: the first)")
        String listener;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            OutriggerConfig c;
            try {
                c = load(config);
            } catch (ConfigException e) {
                return configErrors(spec, e, config);
            }
            ListenerConfig l = listener(c, listener, err);
            if (l == null) {
                err.flush();
                return 2;
            }
            String text;
            try {
                text = Files.readString(tests, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println(tests + ": cannot read (" + e.getMessage() + ")");
                err.flush();
                return 2;
            }
            RouteTests.Report outcome;
            try {
                outcome = RouteTests.run(RouteTable.build(l), tests.toString(), text);
            } catch (ConfigException e) {
                return configErrors(spec, e, tests);
            }
            out.print(outcome.text());
            out.flush();
            return outcome.passed() ? 0 : 1;
        }
    }
}
