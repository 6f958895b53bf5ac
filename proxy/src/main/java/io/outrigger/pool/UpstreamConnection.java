package io.outrigger.pool;

import io.netty.channel.Channel;
import io.outrigger.upstream.Host;

/**
 * One upstream HTTP/1.1 connection of a pool (Envoy's "active client"). Confined to its event loop.
 * Leased to one request at a time; no pipelining.
 */
public final class UpstreamConnection {
    enum State { IDLE, BUSY, CLOSING, CLOSED }

    private final Channel channel;
    private final Http1ConnectionPool pool;
    State state = State.IDLE;
    long requests;
    long idleDeadlineNanos; // 0: none; else the upstream's Keep-Alive timeout ends then
    long idleSinceNanos;    // when it last became idle
    ResponseListener listener;

    UpstreamConnection(Channel channel, Http1ConnectionPool pool) {
        this.channel = channel;
        this.pool = pool;
    }

    /** The connection's channel; its pipeline ends in {@code HttpClientCodec} and the pool's handler. */
    public Channel channel() {
        return channel;
    }

    public Host host() {
        return pool.host();
    }

    /** Whether this lease is not the connection's first request (a reused keep-alive connection). */
    public boolean reused() {
        return requests > 1;
    }

    /** Directs the upstream's response events to {@code listener} for the current lease. */
    public void setListener(ResponseListener listener) {
        this.listener = listener;
    }

    /**
     * Ends the lease.
     *
     * @param reusable whether the exchange ended cleanly so the connection can serve another request;
     *                 otherwise it is closed
     */
    public void release(boolean reusable) {
        pool.release(this, reusable, 0);
    }

    /**
     * Ends the lease.
     *
     * @param keepAliveTimeoutMs the upstream's {@code Keep-Alive: timeout} in ms (0: none); the connection is
     *                           retired before it passes
     */
    public void release(boolean reusable, long keepAliveTimeoutMs) {
        pool.release(this, reusable, keepAliveTimeoutMs);
    }
}
