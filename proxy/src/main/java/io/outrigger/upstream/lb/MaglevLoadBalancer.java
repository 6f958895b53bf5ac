package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/** Consistent hashing over a shared {@link MaglevTable}; requests without a key get a random slot. */
final class MaglevLoadBalancer implements LoadBalancer {
    private final MaglevTable table;
    private final RandomGenerator random;

    MaglevLoadBalancer(MaglevTable table, RandomGenerator random) {
        this.table = table;
        this.random = random;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        return table.lookup(context.hasHashKey() ? context.hashKey() : random.nextLong(), context);
    }
}
