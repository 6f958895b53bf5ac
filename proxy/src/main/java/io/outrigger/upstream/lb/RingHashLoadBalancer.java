package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing over a shared {@link HashRing}. Requests without a hash key go to a random ring
 * position, as Envoy does when the hash policy yields nothing.
 */
final class RingHashLoadBalancer implements LoadBalancer {
    private final HashRing ring;
    private final RandomGenerator random;

    RingHashLoadBalancer(HashRing ring, RandomGenerator random) {
        this.ring = ring;
        this.random = random;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        return ring.lookup(context.hasHashKey() ? context.hashKey() : random.nextLong(), context);
    }
}
