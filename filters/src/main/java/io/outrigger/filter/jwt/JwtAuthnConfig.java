package io.outrigger.filter.jwt;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@code jwt_authn} filter's settings (Envoy's {@code JwtAuthentication}).
 *
 * @param providers      by name, in config order
 * @param rules          {@code rules}: the first whose path matches gives the requirement; none: no requirement
 * @param requirementMap {@code requirement_map}: named requirements for routes ({@code requirement_name})
 */
record JwtAuthnConfig(Map<String, JwtProvider> providers, List<Rule> rules, Map<String, Requirement> requirementMap,
                      Stats stats) {
    /** Envoy's counters {@code jwt_authn.allowed}, {@code jwt_authn.denied}. */
    record Stats(LongAdder allowed, LongAdder denied) {
    }

    /**
     * {@code rules[]}: {@code match: { prefix | path }} and {@code requires} ({@code null}: no token needed).
     */
    record Rule(String prefix, String path, Requirement requires) {
        boolean matches(String requestPath) {
            return path != null ? path.equals(requestPath) : requestPath.startsWith(prefix);
        }
    }

    JwtAuthnConfig {
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
        rules = List.copyOf(rules);
        requirementMap = Map.copyOf(requirementMap);
    }
}
