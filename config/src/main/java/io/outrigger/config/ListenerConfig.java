package io.outrigger.config;

import java.util.List;

/**
 * One listener ({@code listeners[]}): a TCP address serving HTTP/1.1 and cleartext HTTP/2.
 *
 * @param name          unique name, used in logs and stats
 * @param address       where to accept connections; unique among listeners
 * @param httpFilters   HTTP filters in order; the router runs after them
 * @param virtualHosts  virtual hosts, selected by {@code Host}/{@code :authority}
 */
public record ListenerConfig(String name, HostAndPort address, List<HttpFilterConfig> httpFilters,
                             List<VirtualHostConfig> virtualHosts) {
    public ListenerConfig {
        httpFilters = List.copyOf(httpFilters);
        virtualHosts = List.copyOf(virtualHosts);
    }
}
