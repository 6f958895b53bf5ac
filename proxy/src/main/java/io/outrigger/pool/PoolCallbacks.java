package io.outrigger.pool;

/** Receives the outcome of {@link Http1ConnectionPool#newStream}. Called on the pool's event loop. */
public interface PoolCallbacks {
    /** A connection is leased to the caller, who must {@link UpstreamConnection#release} it exactly once. */
    void onPoolReady(UpstreamConnection connection);

    /**
     * No connection will come.
     *
     * @param detail a short human-readable cause, for logs
     */
    void onPoolFailure(PoolFailureReason reason, String detail);
}
