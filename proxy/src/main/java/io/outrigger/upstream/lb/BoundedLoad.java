package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.List;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads",
 * SODA 2018, arXiv 1608.01350 — HAProxy's {@code hash-balance-factor}, Envoy's {@code hash_balance_factor}): a host's
 * capacity is ⌈c × (m + 1) × w / W⌉ requests in flight, where c is the factor (percent / 100), m the cluster's
 * requests in flight, w the host's weight and W the hosts' total weight. A host at capacity is passed over and the key
 * goes on along its probe sequence on the ring or Maglev table (the one a retry walks), so a hot key's overflow
 * spreads over the next hosts instead of piling on its home. At normal load every host is under capacity and keys
 * stay home. Loads are LongAdder sums across all workers: no lock, and the cluster total is one shared adder (O(1),
 * not a walk over the hosts).
 *
 * <p>Used per pick as a {@link LoadBalancerContext} that adds "at capacity" to the caller's own host predicate; one
 * instance per worker, reset for each pick (no allocation).
 */
final class BoundedLoad implements LoadBalancerContext {
    private final long factorPercent;
    private final long totalWeight;
    private final java.util.IdentityHashMap<Host, Integer> index = new java.util.IdentityHashMap<>();
    private final int[] rejectedInPick; // per host: the pick number that last passed it over for capacity
    private LoadBalancerContext delegate;
    private long clusterActive;
    private int pick;
    private int distinctRejected;

    /** @param factorPercent at least 100 */
    BoundedLoad(int factorPercent, List<Host> hosts) {
        this.factorPercent = factorPercent;
        long w = 0;
        for (Host h : hosts) {
            w += h.weight();
        }
        this.totalWeight = Math.max(1, w);
        for (Host h : hosts) {
            index.putIfAbsent(h, index.size());
        }
        this.rejectedInPick = new int[index.size()];
    }

    /** Prepares for one pick on behalf of {@code context}; reads the cluster's in-flight total once. */
    BoundedLoad forPick(LoadBalancerContext context, Host anyHost) {
        this.delegate = context;
        this.clusterActive = anyHost == null ? 0 : anyHost.clusterActiveRequests();
        this.pick++;
        this.distinctRejected = 0;
        return this;
    }

    /** Whether {@code h} has reached its capacity given the cluster's load. */
    boolean atCapacity(Host h) {
        // ⌈factor × (m + 1) × w / (100 × W)⌉, in integers
        long numerator = factorPercent * (clusterActive + 1) * h.weight();
        long denominator = 100 * totalWeight;
        long capacity = (numerator + denominator - 1) / denominator;
        return h.activeRequests() >= capacity;
    }

    @Override
    public boolean hasHashKey() {
        return delegate.hasHashKey();
    }

    @Override
    public long hashKey() {
        return delegate.hashKey();
    }

    /**
     * The caller's predicate, then capacity. Once every host of the cluster has been found at capacity in this pick
     * (possible only when the loads were read mid-change: the capacities add up to more than the load), the next host
     * is taken rather than the whole ring or table walked. Bookkeeping only on the overflow path: a host under capacity
     * costs one LongAdder read (the cluster's total is read once per pick).
     */
    @Override
    public boolean shouldSelectAnotherHost(Host host) {
        if (delegate.shouldSelectAnotherHost(host)) {
            return true;
        }
        if (distinctRejected >= rejectedInPick.length || !atCapacity(host)) {
            return false;
        }
        Integer i = index.get(host);
        if (i != null && rejectedInPick[i] != pick) {
            rejectedInPick[i] = pick;
            distinctRejected++;
        }
        return true;
    }
}
