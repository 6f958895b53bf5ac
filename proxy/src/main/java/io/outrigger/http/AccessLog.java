package io.outrigger.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.outrigger.config.AccessLogConfig;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's access logs: one line per finished stream, in Envoy's default text format
 * <pre>
 * [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS BYTES_RECEIVED BYTES_SENT DURATION_MS "X-FORWARDED-FOR"
 *   "USER-AGENT" "X-REQUEST-ID" "AUTHORITY" "UPSTREAM_HOST"
 * </pre>
 * or as one JSON object per line. Never blocks an event loop: each destination ({@code /dev/stdout} or a file) has a
 * bounded queue drained by one writer thread ({@link AccessLogWriter}, shared by the listeners logging there); lines
 * that do not fit are dropped and counted. The {@code outrigger.access} logger's level switches standard output on
 * and off ({@code OUTRIGGER_ACCESS_LOG_LEVEL=OFF}).
 */
public final class AccessLog {
    private static final Logger stdout = LoggerFactory.getLogger("outrigger.access");
    private static final Map<String, AccessLogWriter> writers = new ConcurrentHashMap<>();
    private static final LongAdder dropped = new LongAdder();

    /** One configured log: its format and its writer; {@code stdout} when the logger's level can switch it off. */
    private record Sink(AccessLogConfig.Format format, AccessLogWriter writer, boolean stdout) {
    }

    private final Sink[] sinks;

    private AccessLog(Sink[] sinks) {
        this.sinks = sinks;
    }

    /** The access logs of a listener; opens (shares) the file writers it needs, once. */
    public static AccessLog of(List<AccessLogConfig> configs) {
        Sink[] sinks = new Sink[configs.size()];
        for (int i = 0; i < sinks.length; i++) {
            AccessLogConfig c = configs.get(i);
            boolean toStdout = c.path().equals(AccessLogConfig.STDOUT);
            sinks[i] = new Sink(c.format(), toStdout ? stdoutWriter() : writers.computeIfAbsent(
                    Path.of(c.path()).toAbsolutePath().normalize().toString(), p -> AccessLogWriter.file(Path.of(p))),
                    toStdout);
        }
        return new AccessLog(sinks);
    }

    private static AccessLogWriter stdoutWriter() {
        return writers.computeIfAbsent(AccessLogConfig.STDOUT, p -> AccessLogWriter.stdout());
    }

    /**
     * Writes what every access log has queued (at shutdown, after the last stream).
     *
     * @param timeoutMs how long to wait for each destination, ms
     */
    public static void flushAll(long timeoutMs) {
        try {
            for (String destination : writers.keySet()) {
                AccessLogWriter w = writers.remove(destination);
                if (w != null) {
                    w.close(timeoutMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lines dropped because a writer fell behind. */
    public static long dropped() {
        return dropped.sum();
    }

    void log(StreamInfoImpl s) {
        for (Sink sink : sinks) {
            if (sink.stdout() && !stdout.isInfoEnabled()) {
                continue;
            }
            String line = sink.format() == AccessLogConfig.Format.JSON ? json(s) : text(s);
            if (!sink.writer().offer(line)) {
                dropped.increment();
            }
        }
    }

    static String text(StreamInfoImpl s) {
        HttpHeaders h = s.requestHeaders;
        StringBuilder sb = new StringBuilder(256);
        sb.append('[');
        StartTime.append(sb, s.startMillis);
        sb.append("] \"");
        escaped(sb, s.method);
        sb.append(' ');
        escaped(sb, s.path); // validated by the codecs already; escaped all the same
        sb.append(' ').append(s.protocol()).append("\" ")
                .append(s.responseCode).append(' ').append(flags(s)).append(' ')
                .append(s.bytesReceived).append(' ').append(s.bytesSent).append(' ').append(durationMs(s));
        quoted(sb, h.get(ProxyHeaders.X_FORWARDED_FOR));
        quoted(sb, h.get(HttpHeaderNames.USER_AGENT));
        quoted(sb, s.requestId);
        quoted(sb, h.get(HttpHeaderNames.HOST));
        quoted(sb, s.upstreamHost == null ? null : s.upstreamHost.addressString());
        return sb.toString();
    }

    static String json(StreamInfoImpl s) {
        HttpHeaders h = s.requestHeaders;
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("start_time", StartTime.append(new StringBuilder(24), s.startMillis).toString());
            Json.field(g, "method", s.method);
            Json.field(g, "path", s.path);
            Json.field(g, "protocol", s.protocol());
            g.writeNumberField("response_code", s.responseCode);
            g.writeStringField("response_flags", flags(s));
            g.writeNumberField("bytes_received", s.bytesReceived);
            g.writeNumberField("bytes_sent", s.bytesSent);
            g.writeNumberField("duration_ms", durationMs(s));
            Json.field(g, "x_forwarded_for", h.get(ProxyHeaders.X_FORWARDED_FOR));
            Json.field(g, "user_agent", h.get(HttpHeaderNames.USER_AGENT));
            Json.field(g, "request_id", s.requestId);
            Json.field(g, "trace_id", s.traceId);
            Json.field(g, "authority", h.get(HttpHeaderNames.HOST));
            Json.field(g, "upstream_cluster", s.upstreamCluster);
            if (s.grpcStatus != null) {
                Json.field(g, "grpc_status", s.grpcStatus);
            }
            Json.field(g, "upstream_host", s.upstreamHost == null ? null : s.upstreamHost.addressString());
            if (s.upstreamHost != null) {
                g.writeNumberField("upstream_priority", s.upstreamHost.priority());
            }
            if (s.attemptCount > 0) {
                g.writeNumberField("upstream_request_attempt_count", s.attemptCount);
            }
            if (s.hedges > 0) {
                g.writeNumberField("hedges", s.hedges);
                g.writeStringField("hedge", s.hedgeOutcome.logName());
            }
            if (s.mirrored > 0) {
                g.writeNumberField("mirrored", s.mirrored);
            }
            Json.field(g, "listener", s.listenerName());
            g.writeEndObject();
        });
    }

    static String flags(StreamInfoImpl s) {
        if (s.flags.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (ResponseFlag f : s.flags) {
            sb.append(sb.length() == 0 ? "" : ",").append(f.code());
        }
        return sb.toString();
    }

    private static long durationMs(StreamInfoImpl s) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s.startNanos);
    }

    /**
     * A text-format field: {@code "value"} or {@code "-"}. A client's value cannot end the field or the line: a quote
     * or backslash is escaped with a backslash, a control character or DEL becomes {@code \xHH} (as nginx does).
     */
    static void quoted(StringBuilder sb, String v) {
        sb.append(" \"");
        if (v == null) {
            sb.append('-');
        } else {
            escaped(sb, v);
        }
        sb.append('"');
    }

    private static void escaped(StringBuilder sb, String v) {
        {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || c == 0x7f) {
                    sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                } else {
                    sb.append(c);
                }
            }
        }
    }

    /** A request line from before a stream existed (a malformed HTTP/1.1 request), to stdout. */
    static void logRejected(String listener, java.net.SocketAddress remote, int code) {
        if (stdout.isInfoEnabled()) {
            StringBuilder sb = new StringBuilder(128).append('[');
            StartTime.append(sb, System.currentTimeMillis());
            sb.append("] \"- - -\" ").append(code).append(" DPE 0 0 0 \"").append(remote)
                    .append("\" \"-\" \"-\" \"-\" \"-\" listener=").append(listener);
            if (!stdoutWriter().offer(sb.toString())) {
                dropped.increment();
            }
        }
    }
}
