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
    private LoadBalancerContext delegate;
    private long clusterActive;

    /** @param factorPercent at least 100 */
    BoundedLoad(int factorPercent, List<Host> hosts) {
        this.factorPercent = factorPercent;
        long w = 0;
        for (Host h : hosts) {
            w += h.weight();
        }
        this.totalWeight = Math.max(1, w);
    }

    /** Prepares for one pick on behalf of {@code context}; reads the cluster's in-flight total once. */
    BoundedLoad forPick(LoadBalancerContext context, Host anyHost) {
        this.delegate = context;
        this.clusterActive = anyHost == null ? 0 : anyHost.clusterActiveRequests();
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

    @Override
    public boolean shouldSelectAnotherHost(Host host) {
        return delegate.shouldSelectAnotherHost(host) || atCapacity(host);
    }
}
