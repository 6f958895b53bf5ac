package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;

/** What a load balancer may know about the request it picks a host for. */
public interface LoadBalancerContext {
    /** A request without a hash key and without hosts to avoid (e.g. a mirror copy). */
    LoadBalancerContext NO_HASH_KEY = new LoadBalancerContext() {
        @Override
        public boolean hasHashKey() {
            return false;
        }

        @Override
        public long hashKey() {
            return 0;
        }
    };

    /** Whether the route's hash policy produced a key. */
    boolean hasHashKey();

    /** The 64-bit hash key; meaningful only when {@link #hasHashKey()}. */
    long hashKey();

    /**
     * Whether {@code host} should be passed over when another host exists (Envoy's retry host predicate
     * {@code previous_hosts}: a retry avoids the hosts already tried).
     */
    default boolean shouldSelectAnotherHost(Host host) {
        return false;
    }
}
