package io.outrigger.codec;

/**
 * User events fired into a downstream connection's pipeline when its listener drains (SIGTERM, or the listener removed
 * by a reload). Counted as {@code downstream_cx_drain_close}.
 */
public enum ServerDrainEvent {
    /**
     * The drain begins: HTTP/1.1 answers every later request with {@code Connection: close} and closes after it (an
     * idle keep-alive connection stays open until {@link #CLOSE_IDLE}, so a request a client is sending on it right now
     * is still served); HTTP/2 sends its graceful GOAWAY (RFC 9113 §6.8) and closes once its open streams are done.
     */
    INSTANCE,
    /**
     * The listener stopped accepting (load balancers had their time to stop sending): an HTTP/1.1 connection with no
     * request in progress closes now. (Closing idle keep-alive connections at the start of the drain races with clients
     * reusing them: a request sent just then would meet a closed connection.)
     */
    CLOSE_IDLE
}
