package io.outrigger.upstream;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * One endpoint of a cluster. Immutable and shared by all workers; per-worker state (connection pools)
 * is kept elsewhere, keyed by this object's identity.
 */
public final class Host {
    private final String cluster;
    private final String hostname;
    private final InetSocketAddress address;
    private final String addressString;
    private final int weight;
    private final int priority;
    private final HostHealth health = new HostHealth();
    // Envoy's per-host rq_active / rq_total; LongAdder: many workers add, the admin API reads
    private final LongAdder activeRequests = new LongAdder();
    private final LongAdder totalRequests = new LongAdder();
    // every host of the cluster adds to it: the cluster's in-flight total in one read (bounded-load hashing)
    private final LongAdder clusterActiveRequests;
    // System.nanoTime() when the host last became healthy (slow start), or Long.MIN_VALUE: never (in use since start)
    private volatile long slowStartBeginNanos = Long.MIN_VALUE;

    /**
     * @param cluster the owning cluster's name
     * @param address a resolved address
     * @param weight  load-balancing weight, 1..128
     */
    public Host(String cluster, InetSocketAddress address, int weight) {
        this(cluster, address.getAddress().getHostAddress(), address, weight);
    }

    /**
     * @param hostname the host as configured (a name or an IP literal), used for TLS SNI and verification
     */
    public Host(String cluster, String hostname, InetSocketAddress address, int weight) {
        this(cluster, hostname, address, weight, new LongAdder());
    }

    /**
     * @param clusterActiveRequests shared by all hosts of the cluster: their attempts in flight, together
     */
    public Host(String cluster, String hostname, InetSocketAddress address, int weight, LongAdder clusterActiveRequests) {
        this(cluster, hostname, address, weight, 0, clusterActiveRequests);
    }

    /**
     * @param priority the endpoint's priority level, 0 (preferred) and up
     */
    public Host(String cluster, String hostname, InetSocketAddress address, int weight, int priority,
                LongAdder clusterActiveRequests) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address: " + address + " (expected: resolved)");
        }
        this.cluster = cluster;
        this.hostname = hostname;
        this.address = address;
        this.addressString = address.getAddress().getHostAddress() + ':' + address.getPort();
        this.weight = weight;
        this.priority = priority;
        this.clusterActiveRequests = clusterActiveRequests;
    }

    public String cluster() {
        return cluster;
    }

    /** The host as configured: a DNS name or an IP literal. */
    public String hostname() {
        return hostname;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code ip:port}, the string Envoy hashes to place the host on a ring. */
    public String addressString() {
        return addressString;
    }

    public int weight() {
        return weight;
    }

    /** The priority level, 0 (preferred) and up. */
    public int priority() {
        return priority;
    }

    /** The host's health flags and failure counters. */
    public HostHealth health() {
        return health;
    }

    /**
     * Marks the host as just healthy again: {@code slow_start_config} ramps its weight from here.
     *
     * @param nanos the {@code System.nanoTime()} of the transition
     */
    public void beginSlowStart(long nanos) {
        slowStartBeginNanos = nanos;
    }

    /** When the host last became healthy ({@code System.nanoTime()}), or {@link Long#MIN_VALUE} for never. */
    public long slowStartBeginNanos() {
        return slowStartBeginNanos;
    }

    /** An upstream attempt started on this host; each call is matched by one {@link #requestFinished()}. */
    public void requestStarted() {
        activeRequests.increment();
        totalRequests.increment();
        clusterActiveRequests.increment();
    }

    public void requestFinished() {
        activeRequests.decrement();
        clusterActiveRequests.decrement();
    }

    /** The counter of attempts in flight that all hosts of this host's cluster add to (for hosts discovery adds). */
    LongAdder clusterInFlight() {
        return clusterActiveRequests;
    }

    /** Attempts in flight on all hosts of this host's cluster (a sum over LongAdder cells: no lock). */
    public long clusterActiveRequests() {
        return clusterActiveRequests.sum();
    }

    /** Attempts in flight on this host (Envoy's {@code rq_active}). */
    public long activeRequests() {
        return activeRequests.sum();
    }

    /** Attempts started on this host since start (Envoy's {@code rq_total}). */
    public long totalRequests() {
        return totalRequests.sum();
    }

    @Override
    public String toString() {
        return addressString;
    }
}
