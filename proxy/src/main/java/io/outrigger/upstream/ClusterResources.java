package io.outrigger.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster-wide resource counts behind the connection-pool limits (Envoy's resource manager). Shared by
 * all workers; touched only when a connection opens or closes and when a request has to wait, never
 * for a request served from an idle connection.
 */
public final class ClusterResources {
    private final int maxConnections;
    private final int maxPendingRequests;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger pendingRequests = new AtomicInteger();

    public ClusterResources(int maxConnections, int maxPendingRequests) {
        this.maxConnections = maxConnections;
        this.maxPendingRequests = maxPendingRequests;
    }

    /**
     * Counts a new connection.
     *
     * @param force count it even over the limit (a pool with no connection at all may always open one)
     * @return whether the connection may be opened
     */
    public boolean tryAcquireConnection(boolean force) {
        while (true) {
            int n = connections.get();
            if (n >= maxConnections && !force) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void releaseConnection() {
        connections.decrementAndGet();
    }

    /** Counts a waiting request; {@code false} when the pending queue is full. */
    public boolean tryAcquirePending() {
        while (true) {
            int n = pendingRequests.get();
            if (n >= maxPendingRequests) {
                return false;
            }
            if (pendingRequests.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void releasePending() {
        pendingRequests.decrementAndGet();
    }

    /** Open connections to the cluster, all workers. */
    public int connections() {
        return connections.get();
    }

    /** Requests waiting for a connection, all workers. */
    public int pendingRequests() {
        return pendingRequests.get();
    }
}
