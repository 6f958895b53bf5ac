package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/**
 * Envoy's {@code random}: a host drawn in proportion to its weight. A host the context wants avoided (a retry's
 * previous host) is drawn again, a few times, before it is taken anyway. Confined to one worker.
 */
final class RandomLoadBalancer implements LoadBalancer {
    /** Redraws for a host to avoid before taking it anyway (Envoy's {@code host_selection_retry_max_attempts} idea). */
    static final int MAX_REDRAWS = 8;

    private final WeightedDraw hosts;
    private final RandomGenerator random;

    RandomLoadBalancer(WeightedDraw hosts, RandomGenerator random) {
        this.hosts = hosts;
        this.random = random;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        Host h = hosts.draw(random);
        for (int i = 0; h != null && i < MAX_REDRAWS && context.shouldSelectAnotherHost(h); i++) {
            h = hosts.draw(random);
        }
        return h;
    }
}
