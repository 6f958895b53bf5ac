package io.outrigger.pool;

import io.netty.channel.Channel;
import io.outrigger.codec.FlushScheduler;
import io.outrigger.codec.http1.Http1ClientStream;
import io.outrigger.upstream.Host;

/**
 * One upstream HTTP/1.1 connection of a pool (Envoy's "active client"). Confined to its event loop.
 * Leased to one request at a time; no pipelining.
 */
final class UpstreamConnection implements Http1ClientStream.Connection {
    enum State { IDLE, BUSY, CLOSING, CLOSED }

    private final Channel channel;
    private final Http1ConnectionPool pool;
    private final FlushScheduler flusher;
    State state = State.IDLE;
    long requests;
    long idleDeadlineNanos; // 0: none; else the upstream's Keep-Alive timeout ends then
    long idleSinceNanos;    // when it last became idle
    Http1ClientStream stream; // the current lease's exchange

    UpstreamConnection(Channel channel, Http1ConnectionPool pool) {
        this.channel = channel;
        this.pool = pool;
        this.flusher = new FlushScheduler(channel);
    }

    /** The connection's channel; its pipeline ends in {@code Http1ClientCodec} and the pool's handler. */
    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public FlushScheduler flusher() {
        return flusher;
    }

    Host host() {
        return pool.host();
    }

    /** Whether this lease is not the connection's first request (a reused keep-alive connection). */
    boolean reused() {
        return requests > 1;
    }

    @Override
    public void release(boolean reusable, long keepAliveTimeoutMs) {
        pool.release(this, reusable, keepAliveTimeoutMs);
    }
}
