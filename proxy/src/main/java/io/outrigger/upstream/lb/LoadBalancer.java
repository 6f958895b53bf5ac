package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;

/**
 * Picks a host for a request. Instances are per worker (confined to one event loop), so stateful
 * policies need no synchronization; shared structures (a ring) are immutable.
 */
public interface LoadBalancer {
    /**
     * @return the chosen host, or {@code null} when the cluster has no host
     */
    Host chooseHost(LoadBalancerContext context);
}
