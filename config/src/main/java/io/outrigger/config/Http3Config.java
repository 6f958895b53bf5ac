package io.outrigger.config;

import java.time.Duration;

/**
 * A TLS listener's {@code http3}: HTTP/3 over QUIC (RFC 9114, RFC 9000) on a UDP socket with the listener's port
 * number, serving the same virtual hosts and filters as its TCP side. Key names follow Envoy's
 * {@code quic_protocol_options} where it has one; the defaults suit a sidecar. 0-RTT is always off (see
 * {@code enable_early_data} in the reader).
 *
 * @param maxConcurrentStreams        {@code max_concurrent_streams}: bidirectional (request) streams a client may have
 *                                    open at once (the {@code initial_max_streams_bidi} transport parameter); default 100
 * @param initialStreamWindowSize     {@code initial_stream_window_size}: bytes of flow-control credit per request
 *                                    stream ({@code initial_max_stream_data_bidi_remote}); default 64 KiB
 * @param initialConnectionWindowSize {@code initial_connection_window_size}: bytes of credit for the whole connection
 *                                    ({@code initial_max_data}); default 1 MiB
 * @param idleNetworkTimeout          {@code idle_network_timeout}: a connection with no packet either way for this long
 *                                    is closed (QUIC's {@code max_idle_timeout}, RFC 9000 §10.1); default 300 s (Envoy's)
 * @param maxPacketLength             {@code max_packet_length}: the largest UDP payload sent, bytes (1,200 to 65,527);
 *                                    default 1,350 (fits the common 1,500-byte MTU with room for tunnels)
 * @param addressValidation           when a new connection must first prove its address with a Retry packet
 *                                    (RFC 9000 §8.1.2); default {@link AddressValidation#UNDER_LOAD}
 * @param retryAbovePendingHandshakes {@code retry_above_pending_handshakes}: with {@code under_load}, Retry is asked
 *                                    for while more than this many handshakes of the listener are unfinished;
 *                                    default 64
 */
public record Http3Config(int maxConcurrentStreams, long initialStreamWindowSize, long initialConnectionWindowSize,
                          Duration idleNetworkTimeout, int maxPacketLength,
                          AddressValidation addressValidation, int retryAbovePendingHandshakes) {
    public static final Http3Config DEFAULT = new Http3Config(100, 64 * 1024, 1 << 20, Duration.ofSeconds(300), 1350,
            AddressValidation.UNDER_LOAD, 64);

    /** {@code address_validation}: when a client's first packet is answered with a Retry. */
    public enum AddressValidation {
        /** Only while the listener has more unfinished handshakes than {@code retry_above_pending_handshakes}. */
        UNDER_LOAD,
        /** Every new connection (one more round trip each). */
        ALWAYS,
        /** Never (a spoofed source address can make the server send up to 3× what it received, RFC 9000 §8.1). */
        NEVER
    }
}
