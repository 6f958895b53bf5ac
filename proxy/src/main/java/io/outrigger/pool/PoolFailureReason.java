package io.outrigger.pool;

/** Why a connection pool could not provide a connection. */
public enum PoolFailureReason {
    /** The pending-request queue was full (circuit breaker). */
    OVERFLOW,
    /** Connecting to the host failed or timed out. */
    CONNECTION_FAILURE,
    /**
     * The host chose HTTP/1.1 by ALPN where the pool asked for {@code h2} among {@code [h2, http/1.1]}: nothing was
     * sent; the request belongs in the host's HTTP/1.1 pool, which the worker uses for it from now on.
     */
    ALPN_CHOSE_HTTP1
}
