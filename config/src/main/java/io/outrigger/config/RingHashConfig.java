package io.outrigger.config;

/**
 * Ring-hash settings ({@code ring_hash:} in a cluster).
 *
 * <p>Each host gets {@code hashes_per_host × weight} ring entries, a number that does not depend on the
 * other hosts: adding or removing a host then only moves keys to or from that host (Envoy instead derives
 * entries per host from {@code minimum_ring_size / total weight}, so adding a host also moves keys between
 * the old ones). The ring-size bounds still apply: when {@code hashes_per_host × total weight} falls outside
 * them, entries per weight unit are scaled to fit, and that stability is lost while a bound binds.
 *
 * @param minimumRingSize lower bound on ring entries; default 1024 (Envoy's)
 * @param maximumRingSize upper bound on ring entries; default 1,048,576 (Envoy: 8M) to bound a sidecar's
 *                        memory at about 12 MiB per cluster
 * @param hashesPerHost   entries per unit of weight; default {@link #DEFAULT_HASHES_PER_HOST}
 */
public record RingHashConfig(long minimumRingSize, long maximumRingSize, long hashesPerHost) {
    public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
    public static final long DEFAULT_MAXIMUM_RING_SIZE = 1 << 20;
    /** Envoy's hard ceiling on ring size. */
    public static final long LIMIT_RING_SIZE = 8L << 20;
    /**
     * 4,096: with 3 equal hosts the most loaded owns at most 1.092× the hash space of the least loaded
     * (worst of 50 host sets; 128 gives 1.397×, 1,024 gives 1.109×, 16,384 gives 1.029× at 4× the memory).
     * Measured by {@code HashRingTest#ringBalanceByHashesPerHost}.
     */
    public static final long DEFAULT_HASHES_PER_HOST = 4096;
    public static final RingHashConfig DEFAULT =
            new RingHashConfig(DEFAULT_MINIMUM_RING_SIZE, DEFAULT_MAXIMUM_RING_SIZE, DEFAULT_HASHES_PER_HOST);

    public RingHashConfig {
        if (minimumRingSize < 1 || maximumRingSize < minimumRingSize || maximumRingSize > LIMIT_RING_SIZE
                || hashesPerHost < 1 || hashesPerHost > LIMIT_RING_SIZE) {
            throw new IllegalArgumentException("ring_hash: " + minimumRingSize + ".." + maximumRingSize + ", "
                    + hashesPerHost + " per host (expected: 1 <= minimum <= maximum <= 8388608)");
        }
    }

    /**
     * Ring entries per unit of weight for hosts of this total weight: {@code hashes_per_host}, scaled up to reach
     * {@code minimum_ring_size} or down (to at least 1) to stay within {@code maximum_ring_size}. The one place this
     * arithmetic lives: the ring and {@code validate}'s "ring too small" warning both use it.
     *
     * @param totalWeight the sum of the hosts' weights, at least 1
     */
    public long entriesPerWeight(long totalWeight) {
        long perWeight = hashesPerHost;
        if (perWeight * totalWeight < minimumRingSize) {
            perWeight = (minimumRingSize + totalWeight - 1) / totalWeight;
        } else if (perWeight * totalWeight > maximumRingSize) {
            perWeight = Math.max(1, maximumRingSize / totalWeight);
        }
        return perWeight;
    }
}
