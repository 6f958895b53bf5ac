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
     * {@code cookie: { name, ttl, path, attributes }}: the cookie's value. With a {@code ttl} (Envoy's semantics), a
     * request without the cookie gets a generated value — hashed like a received one — and the response sets it
     * ({@code Set-Cookie: name=value; Max-Age=ttl; Path=path; HttpOnly}, plus the attributes), so the caller sticks.
     * A zero {@code ttl} makes a session cookie (no {@code Max-Age}). Without a {@code ttl} an absent cookie yields
     * no value.
     *
     * @param name     the cookie name
     * @param ttl      the generated cookie's lifetime, or {@code null}: never generate
     * @param path     the generated cookie's {@code Path}, or {@code null}
     * @param sameSite {@code attributes: [ { name: SameSite, value } ]}: {@code Strict}, {@code Lax} or {@code None};
     *                 or {@code null}
     * @param secure   {@code attributes: [ { name: Secure } ]}
     */
    record Cookie(String name, Duration ttl, String path, String sameSite, boolean secure, boolean terminal)
            implements HashPolicy {
    }

    /** {@code connection_properties: { source_ip: true }}: the downstream peer's IP address. */
    record SourceIp(boolean terminal) implements HashPolicy {
    }

    /** {@code query_parameter: { name }}: the first value of the query parameter. */
    record QueryParameter(String name, boolean terminal) implements HashPolicy {
    }
}
