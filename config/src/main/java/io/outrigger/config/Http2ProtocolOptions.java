package io.outrigger.config;

import java.time.Duration;

/**
 * A cluster's {@code http2_protocol_options}: its presence makes the cluster speak HTTP/2 upstream (h2c with
 * prior knowledge in cleartext, {@code h2} by ALPN over TLS). Envoy's names; the defaults suit a sidecar.
 *
 * @param maxConcurrentStreams       streams per upstream connection before another connection opens; default 100
 *                                   (the peer's own SETTINGS_MAX_CONCURRENT_STREAMS lowers it)
 * @param initialStreamWindowSize    bytes of flow-control credit per stream (SETTINGS_INITIAL_WINDOW_SIZE); default
 *                                   64 KiB, between 65,535 and 2^31−1
 * @param initialConnectionWindowSize bytes of credit for the whole connection; default 1 MiB
 * @param keepaliveInterval          {@code connection_keepalive.interval}: a PING after this long; {@code null}: off
 * @param keepaliveTimeout           {@code connection_keepalive.timeout}: a PING unanswered this long closes the
 *                                   connection; default 5s when an interval is set
 */
public record Http2ProtocolOptions(int maxConcurrentStreams, int initialStreamWindowSize, int initialConnectionWindowSize,
                                   Duration keepaliveInterval, Duration keepaliveTimeout) {
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final int DEFAULT_INITIAL_STREAM_WINDOW_SIZE = 64 * 1024;
    public static final int DEFAULT_INITIAL_CONNECTION_WINDOW_SIZE = 1 << 20;
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);
    public static final Http2ProtocolOptions DEFAULT = new Http2ProtocolOptions(DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_STREAM_WINDOW_SIZE, DEFAULT_INITIAL_CONNECTION_WINDOW_SIZE, null, null);

    public Http2ProtocolOptions {
        if (maxConcurrentStreams < 1 || initialStreamWindowSize < 65_535 || initialConnectionWindowSize < 65_535) {
            throw new IllegalArgumentException("http2_protocol_options: invalid limits");
        }
    }
}
