package io.outrigger.config;

/**
 * One endpoint of a cluster: {@code host:port} or {@code { address: host:port, weight: N }}.
 *
 * @param address the endpoint address
 * @param weight  load-balancing weight 1..128 (Envoy's range); default 1
 */
public record EndpointConfig(HostAndPort address, int weight) {
    public EndpointConfig {
        if (weight < 1 || weight > 128) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1..128)");
        }
    }
}
