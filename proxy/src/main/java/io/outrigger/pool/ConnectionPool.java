package io.outrigger.pool;

import io.outrigger.codec.ResponseDecoder;
import io.outrigger.upstream.Host;

/**
 * Connections from one worker to one host, of one protocol (Envoy's {@code ConnectionPool::Instance}):
 * {@link Http1ConnectionPool} leases a connection per request, {@code Http2ConnectionPool} multiplexes
 * streams over few connections. The router sees only this interface and the {@code RequestEncoder} it
 * yields. Confined to the worker's event loop.
 */
public interface ConnectionPool {
    /**
     * Asks for a stream to the host. {@code callbacks} is called exactly once — possibly before this returns
     * (an idle connection, an overflow) — unless the returned handle is cancelled first. The response comes
     * back through {@code decoder}, the stream's events through the callbacks set on the encoder.
     *
     * @param fresh do not use an already-used connection (a retry after a stale keep-alive connection)
     * @return a handle to withdraw the request while it waits, or {@code null} when already answered
     */
    Cancellable newStream(ResponseDecoder decoder, PoolCallbacks callbacks, boolean fresh);

    /** The host this pool connects to. */
    Host host();

    /** {@code HTTP/1.1} or {@code HTTP/2}: what this pool speaks upstream. */
    String protocol();

    /** Connections of this pool (idle, busy and connecting). */
    int connections();

    /** Connections serving no stream. */
    int idleConnections();

    /** Connections serving at least one stream. */
    int busyConnections();

    /** Streams waiting for a connection. */
    int pendingRequests();

    /** Closes every connection that serves no stream (the host became unhealthy; shutdown). */
    void closeIdle();
}
