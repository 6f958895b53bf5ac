package io.outrigger.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.outrigger.Version;
import io.outrigger.server.OutriggerServer;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterManager;
import io.outrigger.upstream.Host;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Answers admin requests (after {@code HttpServerCodec -> HttpObjectAggregator}):
 * <ul>
 *   <li>{@code GET /ready}: 200 {@code LIVE} when every listener is bound, else 503;</li>
 *   <li>{@code GET /listeners}: {@code name::host:port} per listener (Envoy's text format);</li>
 *   <li>{@code GET /clusters}: hosts and connection counts, {@code cluster::host::stat::value} lines;</li>
 *   <li>{@code GET /server_info}: version and uptime.</li>
 * </ul>
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    record Endpoints(OutriggerServer server, ClusterManager clusters) {
    }

    private final Endpoints endpoints;

    AdminHandler(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        FullHttpResponse resp = switch (path) {
            case "/ready" -> endpoints.server().ready() ? text(HttpResponseStatus.OK, "LIVE\n")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "NOT READY\n");
            case "/listeners" -> text(HttpResponseStatus.OK, listeners());
            case "/clusters" -> text(HttpResponseStatus.OK, clusters());
            case "/server_info" -> text(HttpResponseStatus.OK, "version: " + Version.get() + "\nuptime_ms: "
                    + ManagementFactory.getRuntimeMXBean().getUptime() + "\nallocated_bytes: " + allocatedBytes() + "\n");
            case "/" -> text(HttpResponseStatus.OK, "/ready\n/listeners\n/clusters\n/server_info\n");
            default -> text(HttpResponseStatus.NOT_FOUND, "unknown admin path " + path + "\n");
        };
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(resp, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(resp);
        } else {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Bytes allocated so far by all live threads of the process (HotSpot's per-thread allocation counters),
     * so a benchmark can compute allocation per request from outside: (after - before) / requests.
     */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()) {
            long sum = 0;
            for (long a : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
                sum += Math.max(0, a);
            }
            return sum;
        }
        return -1;
    }

    private String listeners() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, InetSocketAddress> e : endpoints.server().listenerAddresses().entrySet()) {
            sb.append(e.getKey()).append("::").append(e.getValue().getHostString()).append(':')
                    .append(e.getValue().getPort()).append('\n');
        }
        return sb.toString();
    }

    private String clusters() {
        StringBuilder sb = new StringBuilder();
        for (Cluster c : endpoints.clusters().all()) {
            sb.append(c.name()).append("::lb_policy::").append(c.config().lbPolicy().yamlName()).append('\n');
            sb.append(c.name()).append("::cx_active::").append(c.resources().connections()).append('\n');
            sb.append(c.name()).append("::rq_pending_active::").append(c.resources().pendingRequests()).append('\n');
            for (java.util.Map.Entry<String, Long> e : c.stats().snapshot().entrySet()) {
                sb.append(c.name()).append("::").append(e.getKey()).append("::").append(e.getValue()).append('\n');
            }
            for (Host h : c.hosts()) {
                String prefix = c.name() + "::" + h.addressString() + "::";
                sb.append(prefix).append("weight::").append(h.weight()).append('\n');
                // Envoy's health_flags: /failed_active_hc, /failed_outlier_check; "healthy" when none
                String flags = (h.health().failedActiveHealthCheck() ? "/failed_active_hc" : "")
                        + (h.health().ejected() ? "/failed_outlier_check" : "");
                sb.append(prefix).append("health_flags::").append(flags.isEmpty() ? "healthy" : flags).append('\n');
                sb.append(prefix).append("ejections::").append(h.health().ejectionCount()).append('\n');
            }
        }
        return sb.toString();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }
}
