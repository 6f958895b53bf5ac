package io.outrigger.demo;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.outrigger.Main;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.filter.HttpFilterRegistry;
import io.outrigger.server.FilterChains;
import io.outrigger.server.OutriggerServer;
import io.outrigger.server.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outrigger demo}: three local origins and the proxy on {@code 127.0.0.1:10000}, routing by ring
 * hash on {@code x-user-id}. The config is the embedded {@code demo.yaml} (the same as
 * {@code examples/demo.yaml}), with the origins' ports filled in through {@code ${ORIGIN_n}}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo origins and the proxy on 127.0.0.1:10000 (Ctrl-C stops everything).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", description = "proxy listener port (default: ${DEFAULT-VALUE})")
    int port = 10000;

    @Option(names = "--admin-port", description = "admin port (default: ${DEFAULT-VALUE})")
    int adminPort = 9901;

    @Override
    public Integer call() throws Exception {
        Transport transport = Transport.detect();
        EventLoopGroup originLoop = new MultiThreadIoEventLoopGroup(1, transport.ioHandler());
        List<DemoOrigin> origins = List.of(
                DemoOrigin.start("origin-1", 0, originLoop, transport.serverChannel()),
                DemoOrigin.start("origin-2", 0, originLoop, transport.serverChannel()),
                DemoOrigin.start("origin-3", 0, originLoop, transport.serverChannel()));
        Map<String, String> vars = Map.of(
                "ORIGIN_1", "127.0.0.1:" + origins.get(0).port(),
                "ORIGIN_2", "127.0.0.1:" + origins.get(1).port(),
                "ORIGIN_3", "127.0.0.1:" + origins.get(2).port(),
                "PROXY_PORT", Integer.toString(port),
                "ADMIN_PORT", Integer.toString(adminPort));
        HttpFilterRegistry registry = HttpFilterRegistry.load();
        AtomicReference<FilterChains> filters = new AtomicReference<>();
        OutriggerConfig config = new ConfigLoader(name -> vars.getOrDefault(name, System.getenv(name)))
                .load("demo.yaml", demoYaml(), c -> filters.set(FilterChains.build(c, registry)));
        OutriggerServer server = OutriggerServer.start(config, filters.get(), 2, null);
        String base = "http://127.0.0.1:" + port;
        System.out.println();
        System.out.println("Outrigger demo is running: proxy " + base + ", admin http://127.0.0.1:" + adminPort
                + ", origins on ports " + origins.get(0).port() + ", " + origins.get(1).port() + ", " + origins.get(2).port());
        System.out.println("Try:");
        System.out.println("  curl -s " + base + "/hello -H 'x-user-id: alice'        # same user, same origin, every time");
        System.out.println("  curl -s " + base + "/hello -H 'x-user-id: bob'");
        System.out.println("  curl -s --http2-prior-knowledge " + base + "/hello -H 'x-user-id: alice'   # HTTP/2, same origin");
        System.out.println("  for i in 1 2 3 4 5 6; do curl -s " + base + "/hello | head -1; done   # no key: random origin");
        System.out.println("  curl -s http://127.0.0.1:" + adminPort + "/clusters");
        System.out.println("Ctrl-C stops everything.");
        System.out.flush();
        return Main.runUntilShutdown(server, () -> {
            origins.forEach(DemoOrigin::close);
            originLoop.shutdownGracefully().syncUninterruptibly();
        });
    }

    static String demoYaml() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo.yaml")) {
            if (in == null) {
                throw new IOException("demo.yaml missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
