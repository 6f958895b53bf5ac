package io.outrigger.config;

import java.time.Duration;

/**
 * The top-level {@code overload_manager}: what the proxy stops doing as memory runs out, so a burst (large uploads
 * to a slow origin, a flood of connections) sheds load instead of ending in {@code OutOfMemoryError}. Envoy's action
 * names; the pressure of a resource is a fraction from 0 to 1: the heap in use after the last garbage collection
 * over the maximum heap, and the direct memory reserved by the buffer allocator over the maximum direct memory. Each
 * action fires while the higher of the two is at or above its threshold ({@code 0}: the action is off).
 *
 * @param refreshInterval          {@code refresh_interval}: how often the pressure is read; default 250 ms
 * @param disableHttpKeepalive     {@code disable_http_keepalive}: responses close their HTTP/1.1 connection and
 *                                 HTTP/2 connections get GOAWAY; default 0.80
 * @param stopAcceptingRequests    {@code stop_accepting_requests}: new requests get 503 locally (response flag
 *                                 {@code OM}); default 0.90
 * @param stopAcceptingConnections {@code stop_accepting_connections}: new connections are closed as accepted;
 *                                 default 0.95
 */
public record OverloadManagerConfig(Duration refreshInterval, double disableHttpKeepalive, double stopAcceptingRequests,
                                    double stopAcceptingConnections) {
    public static final OverloadManagerConfig DEFAULT = new OverloadManagerConfig(Duration.ofMillis(250), 0.80, 0.90, 0.95);
}
