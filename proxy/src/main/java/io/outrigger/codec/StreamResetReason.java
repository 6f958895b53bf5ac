package io.outrigger.codec;

/**
 * Why a stream ended before both directions completed (Envoy's {@code StreamResetReason}). The upstream
 * reasons also say whether the request is provably unprocessed, which is what makes a retry safe for a
 * non-idempotent request.
 */
public enum StreamResetReason {
    /** This side reset the stream (HTTP/2 RST_STREAM CANCEL, HTTP/1.1: the connection is closed). */
    LOCAL_RESET(false),
    /** The peer reset the stream (RST_STREAM other than REFUSED_STREAM). */
    REMOTE_RESET(false),
    /**
     * The peer provably did not process the stream: RST_STREAM(REFUSED_STREAM), a stream above a GOAWAY's
     * last-stream-id (RFC 9113 §8.7).
     */
    REMOTE_REFUSED_STREAM(true),
    /** The connection could not be established (connect or TLS handshake failure). */
    CONNECTION_FAILURE(true),
    /**
     * An HTTP/1.1 connection closed before any byte of the request reached its socket (a kept-alive connection
     * the upstream had closed): provably unprocessed.
     */
    CONNECTION_TERMINATION_BEFORE_REQUEST(true),
    /** The connection closed while the stream was open, after the request (or part of it) was written. */
    CONNECTION_TERMINATION(false),
    /** A limit refused the stream before it started (pending queue, circuit breaker). */
    OVERFLOW(true),
    /** The peer broke the protocol on this stream (a malformed response, a bad frame). */
    PROTOCOL_ERROR(false);

    private final boolean unprocessed;

    StreamResetReason(boolean unprocessed) {
        this.unprocessed = unprocessed;
    }

    /** Whether the peer provably did not process the request, so any request may be retried. */
    public boolean provablyUnprocessed() {
        return unprocessed;
    }
}
