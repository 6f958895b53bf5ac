package io.outrigger.codec;

import java.util.function.BooleanSupplier;

/**
 * When a downstream connection stops taking requests: after {@code max_requests_per_connection} of them, or at once
 * while the overload manager disables keep-alive or the listener drains. One per connection, used by both server codecs (HTTP/1.1 answers
 * the request with {@code Connection: close}; HTTP/2 sends GOAWAY naming it as the last stream). Confined to the
 * connection's event loop.
 */
public final class ConnectionDrainPolicy {
    private final long maxRequests;
    private final BooleanSupplier keepaliveDisabled;
    private final BooleanSupplier listenerDraining;
    private long requests;
    private boolean draining;

    public ConnectionDrainPolicy(ServerCodecOptions options) {
        this.maxRequests = options.maxRequestsPerConnection();
        this.keepaliveDisabled = options.keepaliveDisabled();
        this.listenerDraining = options.listenerDraining();
    }

    /**
     * Counts a new request.
     *
     * @return why the connection must be drained after this request — returned once per connection — or
     *         {@code null} to go on
     */
    public ServerConnectionCallbacks.DrainReason onNewRequest() {
        requests++;
        if (draining) {
            return null;
        }
        ServerConnectionCallbacks.DrainReason reason = maxRequests > 0 && requests >= maxRequests
                ? ServerConnectionCallbacks.DrainReason.MAX_REQUESTS_PER_CONNECTION
                : keepaliveDisabled.getAsBoolean() ? ServerConnectionCallbacks.DrainReason.OVERLOAD
                : listenerDraining.getAsBoolean() ? ServerConnectionCallbacks.DrainReason.LISTENER_DRAIN : null;
        draining = reason != null;
        return reason;
    }

    /**
     * The listener drains: the connection takes no more requests after the current ones.
     *
     * @return whether this changed anything (the connection was not draining already); the reason is reported once
     */
    public boolean drainNow() {
        if (draining) {
            return false;
        }
        draining = true;
        return true;
    }

    /** Whether the connection takes no more requests. */
    public boolean draining() {
        return draining;
    }
}
