package io.outrigger.config;

import java.util.List;

/**
 * A virtual host: the routes served for a set of domains.
 *
 * @param name    unique within its listener
 * @param domains exact host names, {@code *.suffix}, {@code prefix.*} or {@code *}; a port may follow
 *                ({@code catalog:8080}, {@code catalog:*}); matched case-insensitively
 * @param routes  tried in order; the first match wins
 */
public record VirtualHostConfig(String name, List<String> domains, List<RouteConfig> routes) {
    public VirtualHostConfig {
        domains = List.copyOf(domains);
        routes = List.copyOf(routes);
    }
}
