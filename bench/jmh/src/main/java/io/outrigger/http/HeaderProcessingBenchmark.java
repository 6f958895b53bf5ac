package io.outrigger.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request header work of the active stream on a typical request: hop-by-hop removal, x-http2-*
 * removal, and the forwarding headers (x-forwarded-for/-proto, x-request-id generation, XFCC removal).
 * (In package io.outrigger.http to reach the package-private helper.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HeaderProcessingBenchmark {
    final String remote = "10.0.0.9"; // the client's IP as the connection formats it once

    @Benchmark
    public String typicalRequest() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/items?id=1");
        r.headers().set("host", "shop").set("user-agent", "curl/8").set("accept", "*/*")
                .set("connection", "keep-alive").set("x-user-id", "alice");
        io.outrigger.codec.http1.Http1Headers.removeHopByHop(r.headers());
        return ProxyHeaders.forwardRequest(r.headers(), remote, "http", null, false);
    }
}
