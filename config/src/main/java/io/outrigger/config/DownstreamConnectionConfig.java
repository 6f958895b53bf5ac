package io.outrigger.config;

import java.time.Duration;

/**
 * How a listener treats its downstream connections: which codecs it speaks and the limits that keep slow or abusive
 * clients from holding resources. Envoy's HTTP connection manager names.
 *
 * @param codecType               {@code codec_type}: {@code AUTO} (HTTP/1.1 and HTTP/2: prior knowledge or
 *                                {@code h2c} upgrade in cleartext, ALPN with TLS), {@code HTTP1} or {@code HTTP2}
 *                                (cleartext: prior knowledge only); default {@code AUTO}
 * @param requestHeadersTimeout   {@code request_headers_timeout}: HTTP/1.1 request headers not complete this long
 *                                after their first byte (the first request: after the connection was accepted) get 408
 *                                and the connection closes; an HTTP/2 header block left open this long ends the
 *                                connection (GOAWAY ENHANCE_YOUR_CALM); default 10 s; {@code ZERO} disables it
 * @param maxRequestsPerConnection {@code max_requests_per_connection}: after this many requests an HTTP/1.1
 *                                connection closes after its response ({@code Connection: close}) and an HTTP/2
 *                                connection sends GOAWAY; 0 (the default): unlimited
 * @param http2                   {@code http2_protocol_options} for downstream HTTP/2: concurrent streams per
 *                                connection (default 100) and the flow-control windows this proxy grants (default
 *                                64 KiB per stream, 1 MiB per connection), Envoy's edge recommendations
 * @param maxConnections          {@code max_connections}: connections beyond this many are closed as soon as
 *                                accepted (counted as {@code downstream_cx_overflow}); 0 (the default): no limit but
 *                                the overload manager's
 * @param strictTransportSecurity {@code strict_transport_security}: the {@code Strict-Transport-Security} value added
 *                                to responses of a TLS listener (RFC 6797), e.g. {@code max-age=31536000}; {@code null}
 *                                (the default): none
 */
public record DownstreamConnectionConfig(CodecType codecType, Duration requestHeadersTimeout, long maxRequestsPerConnection,
                                         Http2ProtocolOptions http2, int maxConnections, String strictTransportSecurity) {
    public static final Duration DEFAULT_REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    public static final Http2ProtocolOptions DEFAULT_HTTP2 = new Http2ProtocolOptions(DEFAULT_MAX_CONCURRENT_STREAMS,
            Http2ProtocolOptions.DEFAULT_INITIAL_STREAM_WINDOW_SIZE, Http2ProtocolOptions.DEFAULT_INITIAL_CONNECTION_WINDOW_SIZE,
            null, null);
    public static final DownstreamConnectionConfig DEFAULT = new DownstreamConnectionConfig(CodecType.AUTO,
            DEFAULT_REQUEST_HEADERS_TIMEOUT, 0, DEFAULT_HTTP2, 0, null);

    /** Envoy's {@code codec_type}. */
    public enum CodecType { AUTO, HTTP1, HTTP2 }
}
