package io.outrigger.codec;

/**
 * What a server codec asks of the connection manager (Envoy's {@code ServerConnectionCallbacks}).
 */
public interface ServerConnectionCallbacks {
    /**
     * A new request stream begins.
     *
     * @param encoder where the stream's response goes
     * @return where the stream's request goes
     */
    RequestDecoder newStream(ResponseEncoder encoder);

    /**
     * The codec answered a request it could not parse (before any stream existed) and will close the
     * connection; nothing was forwarded. For the access log.
     *
     * @param status the HTTP status the codec answered with (400, 408, 414, 431, 505)
     */
    void onRejectedRequest(int status, String reason);

    /**
     * The peer broke the protocol (counted per kind; logged at most once per interval as a summary).
     *
     * @param detail what was wrong, for the log
     */
    default void onProtocolError(ProtocolError kind, String detail) {
    }

    /** Why a connection stops taking requests after the current ones. */
    enum DrainReason {
        /** {@code max_requests_per_connection} reached ({@code downstream_cx_max_requests_reached}). */
        MAX_REQUESTS_PER_CONNECTION,
        /** The overload manager's {@code disable_http_keepalive} ({@code downstream_cx_overload_disable_keepalive}). */
        OVERLOAD,
        /** The listener drains: SIGTERM, or a reload removed or changed it ({@code downstream_cx_drain_close}). */
        LISTENER_DRAIN
    }

    /** The codec will close the connection after its current requests (HTTP/1.1 {@code Connection: close}, GOAWAY). */
    default void onConnectionDrained(DrainReason reason) {
    }

    /** The peer reset a stream (HTTP/2 RST_STREAM): counted as {@code downstream_rq_rx_reset}. */
    default void onRemoteReset() {
    }
}
