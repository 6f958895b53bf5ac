package io.outrigger.config;

import java.time.Duration;

/**
 * Upstream connection pool limits for a cluster ({@code connection_pool:}).
 *
 * @param maxConnections          connections to the whole cluster, across all workers; default 1024
 *                                (Envoy's circuit-breaker default). A worker whose pool for a host has no
 *                                connection may still open one, so no worker starves (as Envoy does)
 * @param maxPendingRequests      requests waiting for a connection, cluster-wide; default 1024; overflow
 *                                answers 503 with {@code x-outrigger-overloaded: true}
 * @param idleTimeout             {@code idle_timeout}: an idle pooled connection is closed after this long, for either
 *                                protocol; {@code ZERO}: never. {@code null} (not set): each protocol's default,
 *                                {@link #http1IdleTimeout()} and {@link #http2IdleTimeout()}
 * @param maxRequestsPerConnection a connection is retired after this many requests; 0 = unlimited (default)
 */
public record ConnectionPoolConfig(int maxConnections, int maxPendingRequests, Duration idleTimeout,
                                   long maxRequestsPerConnection) {
    /**
     * An idle HTTP/1.1 connection's default lifetime: 4 s, shorter than common upstream keep-alive timeouts (nginx
     * 75 s, Node 5 s) so the proxy, not the upstream, closes it — a request written as the upstream closes an idle
     * connection cannot be told from one it received (RFC 9112 §9.8), and only idempotent ones may be retried.
     */
    public static final Duration DEFAULT_HTTP1_IDLE_TIMEOUT = Duration.ofSeconds(4);
    /**
     * An idle HTTP/2 connection's default lifetime: 1 h, Envoy's {@code common_http_protocol_options.idle_timeout}.
     * HTTP/2 has no such race: an upstream closing first sends GOAWAY, and the streams above its last-stream-id are
     * retried as unprocessed (RFC 9113 §6.8); so the connection — with its handshake, TLS included, and its HPACK
     * tables — is kept across lulls in traffic.
     */
    public static final Duration DEFAULT_HTTP2_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final ConnectionPoolConfig DEFAULT = new ConnectionPoolConfig(1024, 1024, null, 0);

    public ConnectionPoolConfig {
        if (maxConnections < 1 || maxPendingRequests < 0 || maxRequestsPerConnection < 0
                || idleTimeout != null && idleTimeout.isNegative()) {
            throw new IllegalArgumentException("connection_pool: invalid limits");
        }
    }

    /** The idle timeout of an HTTP/1.1 upstream connection: {@code idle_timeout}, else 4 s; {@code ZERO}: never. */
    public Duration http1IdleTimeout() {
        return idleTimeout != null ? idleTimeout : DEFAULT_HTTP1_IDLE_TIMEOUT;
    }

    /** The idle timeout of an HTTP/2 upstream connection: {@code idle_timeout}, else 1 h; {@code ZERO}: never. */
    public Duration http2IdleTimeout() {
        return idleTimeout != null ? idleTimeout : DEFAULT_HTTP2_IDLE_TIMEOUT;
    }
}
