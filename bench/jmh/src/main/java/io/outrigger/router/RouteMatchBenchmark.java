package io.outrigger.router;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route matching in a virtual host of 100 prefix routes (with a header condition on every tenth): through the route
 * table (the index, {@link RouteIndex}) and, for comparison, by scanning every route in order
 * ({@link VirtualHost#scan}, what the table did before the index).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RouteMatchBenchmark {
    RouteTable table;
    HttpRequest first;
    HttpRequest middle;
    HttpRequest last;
    VirtualHost shop;

    @Setup
    public void setup() throws Exception {
        StringBuilder yaml = new StringBuilder("""
                listeners:
                  - name: l
                    address: 127.0.0.1:0
                    virtual_hosts:
                      - name: shop
                        domains: ["shop", "shop:*"]
                        routes:
                """);
        for (int r = 0; r < 100; r++) {
            yaml.append("          - match: { prefix: /api/v1/service").append(r).append('/')
                    .append(r % 10 == 0 ? ", headers: [ { name: x-canary, exact: \"1\" } ]" : "").append(" }\n")
                    .append("            route: { cluster: c }\n");
        }
        yaml.append("clusters:\n  - { name: c, endpoints: [ 127.0.0.1:1 ] }\n");
        OutriggerConfig c = new ConfigLoader(n -> null).load("bench.yaml", yaml.toString());
        table = RouteTable.build(c.listeners().get(0));
        first = request("/api/v1/service1/items?id=1");
        middle = request("/api/v1/service51/items?id=1");
        last = request("/api/v1/service99/items?id=1");
        shop = table.virtualHost("shop");
    }

    static HttpRequest request(String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", "shop").set("user-agent", "bench").set("accept", "*/*");
        return r;
    }

    @Benchmark
    public RouteEntry firstRoute() {
        return table.route(first);
    }

    @Benchmark
    public RouteEntry route51() {
        return table.route(middle);
    }

    @Benchmark
    public RouteEntry route100() {
        return table.route(last);
    }

    @Benchmark
    public RouteEntry scanFirstRoute() {
        return shop.scan("/api/v1/service1/items", first.uri(), first.headers(), false);
    }

    @Benchmark
    public RouteEntry scanRoute100() {
        return shop.scan("/api/v1/service99/items", last.uri(), last.headers(), false);
    }

    @Benchmark
    public RouteEntry indexFirstRoute() {
        return shop.route("/api/v1/service1/items", first.uri(), first.headers(), false);
    }

    @Benchmark
    public RouteEntry indexRoute100() {
        return shop.route("/api/v1/service99/items", last.uri(), last.headers(), false);
    }
}
