package io.outrigger.pool;

import io.outrigger.codec.RequestEncoder;

/** Receives the outcome of {@link ConnectionPool#newStream}. Called on the pool's event loop. */
public interface PoolCallbacks {
    /**
     * A stream is ready: encode the request on it.
     *
     * @param reusedConnection whether the connection served a stream before (a kept-alive one, which the
     *                         upstream may have closed meanwhile)
     */
    void onPoolReady(RequestEncoder encoder, boolean reusedConnection);

    /**
     * No stream will come.
     *
     * @param detail a short human-readable cause, for logs
     */
    void onPoolFailure(PoolFailureReason reason, String detail);
}
