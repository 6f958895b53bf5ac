package io.outrigger.config;

import java.time.Duration;

/**
 * One source of a route's consistent-hash key (Envoy's {@code RouteAction.HashPolicy}). Policies are
 * evaluated in order; the hashes of those that yield a value are combined; a {@code terminal} policy
 * that yields a value stops the evaluation. When none yields a value the load balancer picks at random.
 */
public sealed interface HashPolicy {
    /** Whether a value from this policy ends the evaluation. */
    boolean terminal();

    /** {@code header: { header_name }}: the request header's value. */
    record Header(String headerName, boolean terminal) implements HashPolicy {
    }

    /**
     * {@code cookie: { name, ttl, path }}: the cookie's value. {@code ttl} and {@code path} are accepted
     * for Envoy compatibility; generating a missing cookie is not built yet, so an absent cookie yields no value.
     */
    record Cookie(String name, Duration ttl, String path, boolean terminal) implements HashPolicy {
    }

    /** {@code connection_properties: { source_ip: true }}: the downstream peer's IP address. */
    record SourceIp(boolean terminal) implements HashPolicy {
    }

    /** {@code query_parameter: { name }}: the first value of the query parameter. */
    record QueryParameter(String name, boolean terminal) implements HashPolicy {
    }
}
