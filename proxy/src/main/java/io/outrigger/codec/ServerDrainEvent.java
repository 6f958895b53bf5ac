package io.outrigger.codec;

/**
 * A user event fired into a downstream connection's pipeline when its listener drains (SIGTERM, or the listener
 * removed or changed by a reload): the server codec finishes the requests in flight and closes — HTTP/1.1 at once
 * when idle, else after the current response, which carries {@code Connection: close}; HTTP/2 with a graceful GOAWAY
 * (RFC 9113 §6.8), closing once its open streams are done. Counted as {@code downstream_cx_drain_close}.
 */
public enum ServerDrainEvent {
    INSTANCE
}
