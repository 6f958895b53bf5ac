package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.openhft.hashing.LongHashFunction;

/**
 * An immutable consistent-hash ring, built as Envoy's ring hash load balancer builds it
 * ({@code source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc}; Karger et al.,
 * "Consistent Hashing and Random Trees", STOC '97), with one change to how many entries a host gets:
 * <ul>
 *   <li>each host gets {@code perWeight × weight} entries, where {@code perWeight = hashesPerHost}, scaled
 *       only when the ring would fall outside {@code [minRingSize, maxRingSize]}; so adding or removing a host
 *       moves keys only to or from that host (Envoy derives entries from the total weight, which also moves
 *       keys between the remaining hosts);</li>
 *   <li>entry {@code i} of a host is xxHash64 (seed 0) of {@code "ip:port_i"}, as in Envoy;</li>
 *   <li>a key is served by the first entry whose hash is {@code >=} the key (unsigned), wrapping to 0.</li>
 * </ul>
 * Hashes are stored with the sign bit flipped so signed {@code long} order equals unsigned order.
 */
public final class HashRing {
    private static final LongHashFunction XX = LongHashFunction.xx(0);

    /** Buckets of the index over the top hash bits (2^16: ~16 entries per bucket at the 1M-entry cap). */
    private static final int BUCKET_BITS = 16;

    private final long[] hashes;
    private final Host[] hosts;
    private final Host[] distinctHosts;
    // bucketStart[b] = first entry whose (flipped) hash has top bits >= b; bucketStart[2^16] = size.
    // A key's answer lies in [bucketStart[b], bucketStart[b + 1]], so the search touches one bucket.
    private final int[] bucketStart;

    private HashRing(long[] hashes, Host[] hosts, Host[] distinctHosts) {
        this.hashes = hashes;
        this.hosts = hosts;
        this.distinctHosts = distinctHosts;
        this.bucketStart = new int[(1 << BUCKET_BITS) + 1];
        int e = 0;
        for (int b = 0; b < 1 << BUCKET_BITS; b++) {
            while (e < hashes.length && bucketOf(hashes[e]) < b) {
                e++;
            }
            bucketStart[b] = e;
        }
        bucketStart[1 << BUCKET_BITS] = hashes.length;
    }

    // flipped hashes sort as signed longs; their bucket is the top bits read as unsigned after flipping back
    private static int bucketOf(long flipped) {
        return (int) ((flipped ^ Long.MIN_VALUE) >>> (64 - BUCKET_BITS));
    }

    // Index of the first entry >= key (flipped), within the key's bucket; may equal hashes.length.
    private int ceilingIndex(long flippedKey) {
        int b = bucketOf(flippedKey);
        int i = Arrays.binarySearch(hashes, bucketStart[b], bucketStart[b + 1], flippedKey);
        return i < 0 ? -i - 1 : i;
    }

    /**
     * Builds a ring.
     *
     * @param hashesPerHost entries per unit of weight, before the size bounds apply
     * @param minRingSize   minimum number of entries (at least 1)
     * @param maxRingSize   maximum number of entries (each host keeps at least one per weight unit)
     * @throws IllegalArgumentException when a size is below 1 or the bounds are out of order
     */
    public static HashRing build(List<Host> hosts, long hashesPerHost, long minRingSize, long maxRingSize) {
        if (hashesPerHost < 1 || minRingSize < 1 || maxRingSize < minRingSize) {
            throw new IllegalArgumentException("ring sizes: " + minRingSize + ".." + maxRingSize + ", " + hashesPerHost
                    + " per host (expected: 1 <= minimum <= maximum, at least 1 per host)");
        }
        if (hosts.isEmpty()) {
            return new HashRing(new long[0], new Host[0], new Host[0]);
        }
        long totalWeight = 0;
        for (Host h : hosts) {
            totalWeight += h.weight();
        }
        long perWeight = new io.outrigger.config.RingHashConfig(minRingSize, maxRingSize, hashesPerHost)
                .entriesPerWeight(totalWeight);
        int n = Math.toIntExact(perWeight * totalWeight);
        long[] keyed = new long[n];
        int[] owner = new int[n];
        int e = 0;
        for (int hi = 0; hi < hosts.size(); hi++) {
            Host h = hosts.get(hi);
            byte[] prefix = (h.addressString() + '_').getBytes(StandardCharsets.US_ASCII);
            for (long i = 0; i < perWeight * h.weight(); i++) {
                keyed[e] = XX.hashBytes(withSuffix(prefix, i)) ^ Long.MIN_VALUE;
                owner[e] = hi;
                e++;
            }
        }
        // Sort entries by hash, keeping owners aligned: sort indices by their key.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final long[] k = keyed;
        Arrays.sort(order, (a, b) -> Long.compare(k[a], k[b]));
        long[] sortedHashes = new long[n];
        Host[] sortedHosts = new Host[n];
        for (int i = 0; i < n; i++) {
            sortedHashes[i] = keyed[order[i]];
            sortedHosts[i] = hosts.get(owner[order[i]]);
        }
        return new HashRing(sortedHashes, sortedHosts, hosts.toArray(new Host[0]));
    }

    private static byte[] withSuffix(byte[] prefix, long i) {
        byte[] digits = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + digits.length);
        System.arraycopy(digits, 0, out, prefix.length, digits.length);
        return out;
    }

    /** Number of entries on the ring. */
    public int size() {
        return hashes.length;
    }

    /** Number of distinct hosts. */
    public int hostCount() {
        return distinctHosts.length;
    }

    /**
     * Returns the host owning {@code hash}: the first entry at or after it (unsigned), wrapping around.
     *
     * @return the host, or {@code null} for an empty ring
     */
    public Host lookup(long hash) {
        if (hashes.length == 0) {
            return null;
        }
        int i = ceilingIndex(hash ^ Long.MIN_VALUE);
        return hosts[i == hashes.length ? 0 : i];
    }

    /**
     * As {@link #lookup(long)}, but passes over hosts the context wants avoided, walking the ring forward
     * to the next distinct acceptable host (so a retry for a key goes to the key's next host, consistently).
     *
     * @return the host; the first owner when every host is to be avoided; {@code null} for an empty ring
     */
    public Host lookup(long hash, LoadBalancerContext context) {
        if (hashes.length == 0) {
            return null;
        }
        int i = ceilingIndex(hash ^ Long.MIN_VALUE);
        Host first = hosts[i == hashes.length ? 0 : i];
        for (int step = 0; step < hashes.length; step++) {
            Host h = hosts[(i + step) % hashes.length];
            if (!context.shouldSelectAnotherHost(h)) {
                return h;
            }
        }
        return first;
    }

    /** Hashes a key the way the ring hashes its entries (xxHash64, seed 0). */
    public static long hashKey(byte[] key) {
        return XX.hashBytes(key);
    }

    /** The fraction of the 2^64 hash space each host owns, in the order hosts were given. For measurement. */
    public double[] ownership() {
        double[] share = new double[distinctHosts.length];
        java.util.Map<Host, Integer> index = new java.util.IdentityHashMap<>();
        for (int h = 0; h < distinctHosts.length; h++) {
            index.put(distinctHosts[h], h);
        }
        double space = Math.pow(2, 64);
        for (int i = 0; i < hashes.length; i++) {
            // each entry owns (previous entry, this entry]; subtraction wraps modulo 2^64 for i = 0
            long diff = hashes[i] - hashes[i == 0 ? hashes.length - 1 : i - 1];
            double span = hashes.length == 1 ? space : unsignedToDouble(diff);
            share[index.get(hosts[i])] += span / space;
        }
        return share;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
}
