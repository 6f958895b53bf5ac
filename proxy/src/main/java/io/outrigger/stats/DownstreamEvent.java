package io.outrigger.stats;

/**
 * Counted events of a listener's downstream connections, each with Envoy's statistic name (under
 * {@code http.LISTENER.} in {@code /stats}, as the {@code event} label of {@code outrigger_downstream_events_total}).
 */
public enum DownstreamEvent {
    /** A connection ended by the peer breaking the protocol: a refused HTTP/1.1 request, an HTTP/2 connection error. */
    CX_PROTOCOL_ERROR("downstream_cx_protocol_error"),
    /** An HTTP/2 stream reset for a protocol error of the peer (malformed request, frame on a closed stream). */
    RQ_PROTOCOL_ERROR("downstream_rq_protocol_error"),
    /** The peer reset a stream (RST_STREAM). */
    RQ_RX_RESET("downstream_rq_rx_reset"),
    /** Request headers not complete within {@code request_headers_timeout} (408). */
    RQ_HEADER_TIMEOUT("downstream_rq_header_timeout"),
    /** A connection closed at accept because the listener had {@code max_connections}. */
    CX_OVERFLOW("downstream_cx_overflow"),
    /** A connection closed at accept by the overload manager's {@code stop_accepting_connections}. */
    CX_OVERLOAD_REJECT("downstream_cx_overload_reject"),
    /** A request answered 503 by the overload manager's {@code stop_accepting_requests}. */
    RQ_OVERLOAD_REJECT("downstream_rq_overload_reject"),
    /** A connection drained by the overload manager's {@code disable_http_keepalive}. */
    CX_OVERLOAD_DISABLE_KEEPALIVE("downstream_cx_overload_disable_keepalive"),
    /** A connection drained after {@code max_requests_per_connection}. */
    CX_MAX_REQUESTS_REACHED("downstream_cx_max_requests_reached"),
    /** Connections closed because their listener drained (SIGTERM, or removed or changed by a reload). */
    CX_DRAIN_CLOSE("downstream_cx_drain_close"),
    /** A stream ended by an exception in the proxy's own code (a bug, logged with its stack trace): 500 or reset. */
    RQ_INTERNAL_ERROR("downstream_rq_internal_error"),
    /** A TLS handshake that failed (a client speaking cleartext, no shared protocol or cipher, a refused certificate). */
    SSL_CONNECTION_ERROR("ssl.connection_error"),
    /** A QUIC connection admitted on the listener's HTTP/3 side (its handshake began). */
    HTTP3_CX_TOTAL("http3.downstream_cx_total"),
    /** A new QUIC connection asked to prove its address with a Retry packet (RFC 9000 §8.1.2). */
    HTTP3_RETRY_SENT("http3.retry_sent"),
    /** A QUIC handshake not finished within 10 s: the connection was closed. */
    HTTP3_HANDSHAKE_TIMEOUT("http3.handshake_timeout");

    private final String statName;

    DownstreamEvent(String statName) {
        this.statName = statName;
    }

    public String statName() {
        return statName;
    }
}
