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
import io.netty.handler.codec.http.QueryStringDecoder;
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
 * Answers admin requests (after {@code HttpServerCodec -> HttpObjectAggregator}); changes need POST:
 * <ul>
 *   <li>{@code GET /ready}: 200 {@code LIVE} when every listener is bound, initial health checks are done and
 *       no operator failed or drained the server, else 503;</li>
 *   <li>{@code POST /healthcheck/fail}, {@code /healthcheck/ok}: fail readiness (to drain) and undo it;</li>
 *   <li>{@code POST /drain_listeners}: stop accepting connections; open ones continue;</li>
 *   <li>{@code POST /reload}: reload the config file now; answers with the outcome as JSON (400 when rejected);</li>
 *   <li>{@code GET /stats}: every counter ({@code ?format=json} for JSON); {@code GET /stats/prometheus}: the
 *       Prometheus text format;</li>
 *   <li>{@code GET /logging}, {@code POST /logging?LOGGER=LEVEL} or {@code ?level=LEVEL} (root);</li>
 *   <li>{@code GET /config_dump}: the effective config with defaults, as JSON;</li>
 *   <li>{@code GET /listeners}: {@code name::host:port} per listener (Envoy's text format);</li>
 *   <li>{@code GET /clusters}: hosts and connection counts, {@code cluster::host::stat::value} lines;</li>
 *   <li>{@code GET /server_info}: version and uptime;</li>
 *   <li>{@code GET /}: the dashboard (one HTML page, no external assets) polling {@code GET /stats/live}, the
 *       live rates, percentiles and host health as JSON; {@code GET /help}: this list as text.</li>
 * </ul>
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    record Endpoints(OutriggerServer server, ClusterManager clusters) {
    }

    /** The dashboard page, read once. */
    private static final byte[] DASHBOARD = resource("dashboard.html");

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
        boolean post = req.method().equals(io.netty.handler.codec.http.HttpMethod.POST);
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        if (path.equals("/reload") && post) {
            reload(ctx, HttpUtil.isKeepAlive(req));
            return;
        }
        FullHttpResponse resp = switch (path) {
            case "/ready" -> endpoints.server().ready() ? text(HttpResponseStatus.OK, "LIVE\n")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "NOT READY\n");
            case "/healthcheck/fail" -> post ? operatorFail(true) : notPost();
            case "/healthcheck/ok" -> post ? operatorFail(false) : notPost();
            case "/drain_listeners" -> post ? drain() : notPost();
            case "/reload" -> notPost();
            case "/stats" -> "json".equals(first(query, "format")) ? json(stats()) : text(HttpResponseStatus.OK, statsText());
            case "/stats/prometheus" -> prometheus();
            case "/config_dump" -> {
                io.outrigger.server.DynamicConfigSource xds = endpoints.server().dynamicSource();
                FullHttpResponse r = text(HttpResponseStatus.OK, ConfigDump.json(endpoints.server().config(),
                        endpoints.server().configVersion(), xds == null ? null : xds.status()));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                yield r;
            }
            case "/logging" -> post ? setLogLevel(query) : text(HttpResponseStatus.OK, loggingText());
            case "/listeners" -> text(HttpResponseStatus.OK, listeners());
            case "/clusters" -> text(HttpResponseStatus.OK, clusters());
            case "/server_info" -> text(HttpResponseStatus.OK, "version: " + Version.get() + "\nconfig_version: "
                    + endpoints.server().configVersion() + "\nuptime_ms: "
                    + ManagementFactory.getRuntimeMXBean().getUptime() + "\nallocated_bytes: " + allocatedBytes() + "\n");
            case "/", "/dashboard" -> html(DASHBOARD);
            case "/debug/route" -> DebugEndpoints.route(endpoints, query);
            case "/debug/hash" -> DebugEndpoints.hash(endpoints, query);
            case "/stats/live" -> {
                FullHttpResponse r = text(HttpResponseStatus.OK, LiveStats.json(endpoints.server(), endpoints.clusters()));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                yield r;
            }
            case "/help" -> text(HttpResponseStatus.OK, "GET / (the dashboard)\nGET /stats/live\nGET /ready\nGET /listeners\n"
                    + "GET /clusters\nGET /stats[?format=json]\nGET /stats/prometheus\nGET /config_dump\n"
                    + "GET /server_info\nGET|POST /logging[?LOGGER=LEVEL | ?level=LEVEL]\nPOST /healthcheck/fail\n"
                    + "POST /healthcheck/ok\nPOST /drain_listeners\nPOST /reload\n"
                    + "GET /debug/route?authority=HOST&path=/P[&method=M][&header=NAME:VALUE…][&listener=L][&format=json]\n"
                    + "GET /debug/hash?cluster=NAME[&format=json]\n"
                    + String.join("", io.outrigger.filter.AdminEndpoints.help().stream().map(l -> l + "\n").toList()));
            default -> filterEndpoint(path, post, query);
        };
        send(ctx, resp, HttpUtil.isKeepAlive(req));
    }

    // a path an HTTP filter added (POST /cache/purge), else 404
    private static FullHttpResponse filterEndpoint(String path, boolean post, QueryStringDecoder query) {
        return io.outrigger.filter.AdminEndpoints.find(path).map(e -> {
            io.outrigger.filter.AdminEndpoints.Response a = e.handle(post, query.parameters());
            FullHttpResponse r = text(HttpResponseStatus.valueOf(a.status()), a.body());
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
            return r;
        }).orElseGet(() -> text(HttpResponseStatus.NOT_FOUND, "unknown admin path " + path + "\n"));
    }

    // POST /reload: the file is read and applied on the config thread; the answer is written when it is done.
    private void reload(ChannelHandlerContext ctx, boolean keepAlive) {
        io.outrigger.server.ConfigWatcher watcher = endpoints.server().configWatcher();
        if (watcher == null) {
            send(ctx, text(HttpResponseStatus.CONFLICT, "no config file to reload (demo)\n"), keepAlive);
            return;
        }
        watcher.reload("POST /reload").whenComplete((r, e) -> ctx.executor().execute(() -> {
            FullHttpResponse resp = e != null ? text(HttpResponseStatus.INTERNAL_SERVER_ERROR, e + "\n")
                    : text(r.outcome() == io.outrigger.server.ReloadResult.Outcome.REJECTED ? HttpResponseStatus.BAD_REQUEST
                    : HttpResponseStatus.OK, r.json() + "\n");
            if (e == null) {
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            }
            send(ctx, resp, keepAlive);
        }));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keepAlive) {
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

    private FullHttpResponse prometheus() {
        FullHttpResponse r = text(HttpResponseStatus.OK, endpoints.server().metrics().scrape());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, io.outrigger.stats.Metrics.contentType());
        return r;
    }

    private FullHttpResponse operatorFail(boolean fail) {
        endpoints.server().setFailedByOperator(fail);
        return text(HttpResponseStatus.OK, fail ? "OK (readiness now fails)\n" : "OK\n");
    }

    private FullHttpResponse drain() {
        endpoints.server().drainListeners();
        return text(HttpResponseStatus.OK, "OK (listeners closed; open connections continue)\n");
    }

    private static FullHttpResponse notPost() {
        FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST\n");
        r.headers().set(HttpHeaderNames.ALLOW, "POST");
        return r;
    }

    static String first(QueryStringDecoder q, String name) {
        var v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Every counter, Envoy-style names: {@code cluster.NAME.STAT}, {@code server.*}. */
    private java.util.Map<String, Long> stats() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (Cluster c : endpoints.clusters().all()) {
            io.outrigger.upstream.HostSet levels = c.hostSet();
            if (levels.priorities().size() > 1) {
                long[] picks = c.levelPicks();
                for (int i = 0; i < picks.length; i++) {
                    m.put("cluster." + c.name() + ".priority_" + levels.priorities().get(i) + ".rq_total", picks[i]);
                }
            }
            for (java.util.Map.Entry<String, Long> e : c.stats().snapshot().entrySet()) {
                m.put("cluster." + c.name() + "." + e.getKey(), e.getValue());
            }
            m.put("cluster." + c.name() + ".upstream_cx_active", (long) c.resources().connections());
            m.put("cluster." + c.name() + ".upstream_rq_active", (long) c.resources().activeRequests());
            m.put("cluster." + c.name() + ".upstream_rq_pending_active", (long) c.resources().pendingRequests());
            m.put("cluster." + c.name() + ".membership_healthy", c.hosts().stream().filter(h -> h.health().healthy()).count());
            m.put("cluster." + c.name() + ".membership_total", (long) c.hosts().size());
        }
        m.putAll(endpoints.server().metrics().listenerCounters());
        m.put("server.uptime_ms", ManagementFactory.getRuntimeMXBean().getUptime());
        m.put("server.access_log_dropped", io.outrigger.http.AccessLog.dropped());
        io.outrigger.server.ConfigWatcher watcher = endpoints.server().configWatcher();
        m.put("server.config_version", endpoints.server().configVersion());
        m.put("server.config_reload", watcher == null ? 0 : watcher.applied());
        m.put("server.config_reload_failed", watcher == null ? 0 : watcher.failed());
        m.putAll(io.outrigger.filter.FilterStats.snapshot()); // http filters' counters, by their Envoy-style names
        m.put("server.allocated_bytes", allocatedBytes());
        return m;
    }

    private String statsText() {
        StringBuilder sb = new StringBuilder();
        stats().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    private static FullHttpResponse json(java.util.Map<String, Long> stats) {
        String body = io.outrigger.json.Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("stats");
            for (java.util.Map.Entry<String, Long> e : stats.entrySet()) {
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                g.writeNumberField("value", e.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        FullHttpResponse r = text(HttpResponseStatus.OK, body + "\n");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return r;
    }

    // POST /logging?level=debug sets the root; POST /logging?io.outrigger.router=debug sets one logger.
    private static FullHttpResponse setLogLevel(QueryStringDecoder q) {
        if (q.parameters().isEmpty()) {
            return text(HttpResponseStatus.BAD_REQUEST, "expected ?level=LEVEL or ?LOGGER=LEVEL\n");
        }
        for (var e : q.parameters().entrySet()) {
            String name = e.getKey().equals("level") ? org.slf4j.Logger.ROOT_LOGGER_NAME : e.getKey();
            ch.qos.logback.classic.Level level = ch.qos.logback.classic.Level.toLevel(e.getValue().get(0), null);
            if (level == null) {
                return text(HttpResponseStatus.BAD_REQUEST, "'" + e.getValue().get(0)
                        + "' (expected: one of trace, debug, info, warn, error, off)\n");
            }
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name)).setLevel(level);
        }
        return text(HttpResponseStatus.OK, loggingText());
    }

    private static String loggingText() {
        var ctx = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        StringBuilder sb = new StringBuilder();
        for (ch.qos.logback.classic.Logger l : ctx.getLoggerList()) {
            if (l.getLevel() != null) {
                sb.append(l.getName()).append(": ").append(l.getLevel().toString().toLowerCase(java.util.Locale.ROOT)).append('\n');
            }
        }
        return sb.toString();
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
            io.outrigger.upstream.HostSet hs = c.hostSet();
            if (hs.priorities().size() > 1) {
                long[] picks = c.levelPicks();
                for (int i = 0; i < hs.priorities().size(); i++) {
                    String prefix = c.name() + "::priority_" + hs.priorities().get(i) + "::";
                    sb.append(prefix).append("load_percent::").append(hs.load().loads()[i]).append('\n');
                    sb.append(prefix).append("panic::").append(hs.load().panic()[i]).append('\n');
                    sb.append(prefix).append("rq_total::").append(picks[i]).append('\n');
                }
            }
            for (java.util.Map.Entry<String, Long> e : c.stats().snapshot().entrySet()) {
                sb.append(c.name()).append("::").append(e.getKey()).append("::").append(e.getValue()).append('\n');
            }
            for (Host h : c.hosts()) {
                String prefix = c.name() + "::" + h.addressString() + "::";
                sb.append(prefix).append("weight::").append(h.weight()).append('\n');
                sb.append(prefix).append("priority::").append(h.priority()).append('\n');
                sb.append(prefix).append("health_flags::").append(h.health().envoyFlags()).append('\n');
                sb.append(prefix).append("ejections::").append(h.health().ejectionCount()).append('\n');
                sb.append(prefix).append("rq_active::").append(h.activeRequests()).append('\n');
                sb.append(prefix).append("rq_total::").append(h.totalRequests()).append('\n');
                io.outrigger.config.SlowStartConfig slow = c.config().loadBalancing().slowStart();
                double factor = slow == null ? 1.0
                        : io.outrigger.upstream.lb.SlowStartWeights.factor(h, slow, System.nanoTime());
                if (factor < 1.0) {
                    sb.append(prefix).append("slow_start_weight_factor::")
                            .append(String.format(java.util.Locale.ROOT, "%.3f", factor)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static FullHttpResponse html(byte[] page) {
        FullHttpResponse r = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK, Unpooled.wrappedBuffer(page));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                // everything is inline; nothing may load from elsewhere
                .set("content-security-policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, page.length);
        return r;
    }

    private static byte[] resource(String name) {
        try (java.io.InputStream in = AdminHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }
}
