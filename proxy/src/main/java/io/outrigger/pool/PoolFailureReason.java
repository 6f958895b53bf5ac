package io.outrigger.pool;

/** Why a connection pool could not provide a connection. */
public enum PoolFailureReason {
    /** The pending-request queue was full (circuit breaker). */
    OVERFLOW,
    /** Connecting to the host failed or timed out. */
    CONNECTION_FAILURE
}
