package io.outrigger.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;
import io.outrigger.config.HealthCheckConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active HTTP health checking of one cluster, on the maintenance event loop: every {@code interval} (plus
 * up to {@code interval_jitter}) each host gets {@code GET path} on a new connection; an expected status
 * within {@code timeout} passes. {@code unhealthy_threshold} failures in a row take a host out of load
 * balancing (its pooled connections are closed); {@code healthy_threshold} passes bring it back.
 */
public final class HealthChecker {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private final Cluster cluster;
    private final HealthCheckConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;

    public HealthChecker(Cluster cluster, HealthCheckConfig config, EventLoop loop, Supplier<? extends Channel> channelFactory) {
        this.cluster = cluster;
        this.config = config;
        this.loop = loop;
        this.bootstrap = new Bootstrap().group(loop).channelFactory(channelFactory::get)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeout().toMillis()));
    }

    /** Schedules the first check of every host at a random point within one interval. */
    public void start() {
        for (Host h : cluster.hosts()) {
            startChecking(h);
        }
        cluster.onHostAdded(h -> loop.execute(() -> startChecking(h))); // DNS discovery
    }

    private void startChecking(Host h) {
        loop.schedule(() -> check(h), ThreadLocalRandom.current().nextLong(Math.max(1, config.interval().toMillis())),
                TimeUnit.MILLISECONDS);
    }

    private void check(Host host) {
        if (cluster.retired() || !cluster.hosts().contains(host)) {
            return; // a reload removed or replaced the cluster, or discovery removed the host: no more checks
        }
        Promise<Integer> result = loop.newPromise();
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (cluster.tls() != null) {
                    ch.pipeline().addLast(cluster.tls().newHandler(ch.alloc(), host.hostname(), host.address().getPort()));
                }
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                result.trySuccess(r.status().code());
                                ctx.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.tryFailure(cause);
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.tryFailure(new IllegalStateException("closed before a response"));
                            }
                        });
            }
        }).connect(host.address());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path());
            req.headers().set(HttpHeaderNames.HOST, config.host()).set(HttpHeaderNames.USER_AGENT, "outrigger-health-check")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            connect.channel().writeAndFlush(req);
        });
        var timeout = loop.schedule(() -> result.tryFailure(new IllegalStateException("timeout")),
                config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        result.addListener(f -> {
            timeout.cancel(false);
            connect.channel().close();
            boolean ok = f.isSuccess() && config.expectedStatuses().contains((Integer) f.getNow());
            onResult(host, ok, f.isSuccess() ? "status " + f.getNow() : String.valueOf(f.cause().getMessage()));
            long jitter = config.intervalJitter().toMillis();
            loop.schedule(() -> check(host), config.interval().toMillis()
                    + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter) : 0), TimeUnit.MILLISECONDS);
        });
    }

    private void onResult(Host host, boolean ok, String detail) {
        HostHealth h = host.health();
        if (!h.checkedOnce) {
            h.checkedOnce = true;
            if (cluster.hosts().stream().allMatch(x -> x.health().checkedOnce)) {
                cluster.markInitialHealthChecksDone();
            }
        }
        if (ok) {
            cluster.stats().healthCheckSuccess.increment();
            h.healthCheckFailures = 0;
            h.healthCheckSuccesses++;
            if (h.failedActiveHealthCheck && h.healthCheckSuccesses >= config.healthyThreshold()) {
                h.failedActiveHealthCheck = false;
                cluster.stats().healthFlapsToHealthy.increment();
                cluster.healthChanged(host);
            }
        } else {
            cluster.stats().healthCheckFailure.increment();
            h.healthCheckSuccesses = 0;
            h.healthCheckFailures++;
            log.debug("cluster '{}': health check of {} failed: {}", cluster.name(), host, detail);
            if (!h.failedActiveHealthCheck && h.healthCheckFailures >= config.unhealthyThreshold()) {
                h.failedActiveHealthCheck = true;
                cluster.stats().healthFlapsToUnhealthy.increment();
                cluster.healthChanged(host);
            }
        }
    }
}
