package io.outrigger.config;

import java.util.List;

/**
 * A virtual host: the routes served for a set of domains.
 *
 * @param name    unique within its listener
 * @param domains exact host names, {@code *.suffix}, {@code prefix.*} or {@code *}; a port may follow
 *                ({@code catalog:8080}, {@code catalog:*}); matched case-insensitively
 * @param routes  tried in order; the first match wins
 * @param perFilterConfig {@code typed_per_filter_config} (Envoy's; {@code per_filter_config} is accepted too): per HTTP
 *                filter name, its settings for this virtual host's routes (a route's own entry wins), validated by
 *                that filter; {@code { disabled: true }} turns the filter off here
 */
public record VirtualHostConfig(String name, List<String> domains, List<RouteConfig> routes,
                                java.util.Map<String, ConfigNode> perFilterConfig) {
    public VirtualHostConfig {
        domains = List.copyOf(domains);
        routes = List.copyOf(routes);
        perFilterConfig = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perFilterConfig));
    }
}
