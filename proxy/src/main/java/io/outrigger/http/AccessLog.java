package io.outrigger.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.outrigger.filter.ResponseFlag;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per finished stream to the {@code outrigger.access} logger, in Envoy's default
 * format:
 * <pre>
 * [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS BYTES_RECEIVED BYTES_SENT DURATION_MS "X-FORWARDED-FOR"
 *   "USER-AGENT" "X-REQUEST-ID" "AUTHORITY" "UPSTREAM_HOST"
 * </pre>
 * The logger is asynchronous (Logback {@code AsyncAppender}, see {@code logback.xml}), so the event
 * loop never waits on the terminal or disk.
 */
final class AccessLog {
    private static final Logger log = LoggerFactory.getLogger("outrigger.access");

    private AccessLog() {
    }

    static void log(StreamInfoImpl s) {
        if (!log.isInfoEnabled()) {
            return;
        }
        HttpHeaders h = s.requestHeaders;
        StringBuilder sb = new StringBuilder(256);
        sb.append('[').append(Instant.ofEpochMilli(s.startMillis)).append("] \"")
                .append(s.method).append(' ').append(s.path).append(' ').append(s.protocol()).append("\" ")
                .append(s.responseCode).append(' ');
        if (s.flags.isEmpty()) {
            sb.append('-');
        } else {
            for (int i = 0; i < s.flags.size(); i++) {
                ResponseFlag f = s.flags.get(i);
                sb.append(i == 0 ? "" : ",").append(f.code());
            }
        }
        sb.append(' ').append(s.bytesReceived).append(' ').append(s.bytesSent).append(' ')
                .append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s.startNanos));
        quoted(sb, h.get(ProxyHeaders.X_FORWARDED_FOR));
        quoted(sb, h.get(HttpHeaderNames.USER_AGENT));
        quoted(sb, s.requestId);
        quoted(sb, h.get(HttpHeaderNames.HOST));
        quoted(sb, s.upstreamHost == null ? null : s.upstreamHost.addressString());
        log.info(sb.toString());
    }

    /** A request rejected before it became a stream (malformed HTTP/1.1). */
    static void logRejected(String listener, java.net.SocketAddress remote, int code) {
        if (log.isInfoEnabled()) {
            log.info("[" + Instant.now() + "] \"- - -\" " + code + " DPE 0 0 0 \"" + remote + "\" \"-\" \"-\" \"-\" \"-\" listener=" + listener);
        }
    }

    private static void quoted(StringBuilder sb, String v) {
        sb.append(" \"").append(v == null ? "-" : v).append('"');
    }
}
