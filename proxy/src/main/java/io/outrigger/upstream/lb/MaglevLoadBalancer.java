package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing over a shared {@link MaglevTable}; requests without a key get a random slot. With
 * {@code hash_balance_factor}, a host at its capacity is passed over for the next slots' hosts ({@link BoundedLoad}).
 */
final class MaglevLoadBalancer implements LoadBalancer {
    private final MaglevTable table;
    private final RandomGenerator random;
    private final BoundedLoad bounded; // null: no hash_balance_factor
    private final Host anyHost;

    MaglevLoadBalancer(MaglevTable table, RandomGenerator random, BoundedLoad bounded, Host anyHost) {
        this.table = table;
        this.random = random;
        this.bounded = bounded;
        this.anyHost = anyHost;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        long key = context.hasHashKey() ? context.hashKey() : random.nextLong();
        return table.lookup(key, bounded == null ? context : bounded.forPick(context, anyHost));
    }
}
