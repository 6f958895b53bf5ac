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
 * @param idleTimeout             an idle pooled connection is closed after this long; default 4s — shorter
 *                                than common upstream keep-alive timeouts (nginx 75s, Node 5s) so the proxy,
 *                                not the upstream, closes idle connections and avoids the stale keep-alive race
 * @param maxRequestsPerConnection a connection is retired after this many requests; 0 = unlimited (default)
 */
public record ConnectionPoolConfig(int maxConnections, int maxPendingRequests, Duration idleTimeout,
                                   long maxRequestsPerConnection) {
    public static final ConnectionPoolConfig DEFAULT = new ConnectionPoolConfig(1024, 1024, Duration.ofSeconds(4), 0);

    public ConnectionPoolConfig {
        if (maxConnections < 1 || maxPendingRequests < 0 || maxRequestsPerConnection < 0 || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("connection_pool: invalid limits");
        }
    }
}
