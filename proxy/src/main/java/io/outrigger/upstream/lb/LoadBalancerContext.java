package io.outrigger.upstream.lb;

/** What a load balancer may know about the request it picks a host for. */
public interface LoadBalancerContext {
    /** Whether the route's hash policy produced a key. */
    boolean hasHashKey();

    /** The 64-bit hash key; meaningful only when {@link #hasHashKey()}. */
    long hashKey();
}
