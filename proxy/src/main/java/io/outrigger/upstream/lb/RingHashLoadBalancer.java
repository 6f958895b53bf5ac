package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing over a shared {@link HashRing}. Requests without a hash key go to a random ring
 * position, as Envoy does when the hash policy yields nothing. With {@code hash_balance_factor}, a host at its
 * capacity is passed over for the key's next host on the ring ({@link BoundedLoad}).
 */
final class RingHashLoadBalancer implements LoadBalancer {
    private final HashRing ring;
    private final RandomGenerator random;
    private final BoundedLoad bounded; // null: no hash_balance_factor
    private final Host anyHost;

    RingHashLoadBalancer(HashRing ring, RandomGenerator random, BoundedLoad bounded, Host anyHost) {
        this.ring = ring;
        this.random = random;
        this.bounded = bounded;
        this.anyHost = anyHost;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        long key = context.hasHashKey() ? context.hashKey() : random.nextLong();
        return ring.lookup(key, bounded == null ? context : bounded.forPick(context, anyHost));
    }
}
