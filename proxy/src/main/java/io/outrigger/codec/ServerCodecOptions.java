package io.outrigger.codec;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What a downstream server codec needs to know of its listener's connection settings.
 *
 * @param idleTimeout              {@code idle_timeout}: no stream for this long ends the connection ({@code ZERO}: never)
 * @param requestHeadersTimeout    {@code request_headers_timeout} ({@code ZERO}: none): HTTP/1.1 headers from their
 *                                 first byte; an HTTP/2 header block from its HEADERS frame to its END_HEADERS
 * @param maxRequestsPerConnection requests after which the connection is drained (0: unlimited)
 * @param keepaliveDisabled        read once per request: while true, each response ends its connection (HTTP/1.1
 *                                 {@code Connection: close}; HTTP/2 GOAWAY) — the overload manager's
 *                                 {@code disable_http_keepalive}
 * @param listenerDraining         read once per request: while true (the listener drains), each response ends its
 *                                 connection the same way; connections open when the drain began get a
 *                                 {@link ServerDrainEvent}
 * @param altSvc                   the {@code Alt-Svc} value (RFC 7838) a TCP codec adds to responses that have none —
 *                                 {@code h3=":PORT"; ma=86400} while the listener serves HTTP/3 — or {@code null}
 */
public record ServerCodecOptions(Duration idleTimeout, Duration requestHeadersTimeout, long maxRequestsPerConnection,
                                 BooleanSupplier keepaliveDisabled, BooleanSupplier listenerDraining,
                                 String altSvc) {
    /** Only an idle timeout ({@code ZERO}: none); no headers timeout, no request limit, keep-alive always on. */
    public static ServerCodecOptions idleOnly(Duration idleTimeout) {
        return new ServerCodecOptions(idleTimeout, Duration.ZERO, 0, () -> false, () -> false, null);
    }

    private static final io.netty.util.AsciiString ALT_SVC = io.netty.util.AsciiString.cached("alt-svc");

    /** Adds {@link #altSvc} (RFC 7838) to a response that has no {@code Alt-Svc} of its own; nothing when none is set. */
    public void advertiseAlternatives(io.netty.handler.codec.http.HttpResponse response) {
        if (altSvc != null && !response.headers().contains(ALT_SVC)) {
            response.headers().set(ALT_SVC, altSvc);
        }
    }
}
