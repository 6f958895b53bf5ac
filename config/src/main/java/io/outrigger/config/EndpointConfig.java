package io.outrigger.config;

/**
 * One endpoint of a cluster: {@code host:port} or {@code { address: host:port, weight: N, priority: P }}.
 *
 * @param address  the endpoint address
 * @param weight   load-balancing weight 1..128 (Envoy's range); default 1
 * @param priority Envoy's priority level, 0 (the default, preferred) to {@link #MAX_PRIORITY}: traffic goes to level 0
 *                 while it is healthy enough and spills to the next levels as it is not
 */
public record EndpointConfig(HostAndPort address, int weight, int priority) {
    /** The highest priority level accepted. */
    public static final int MAX_PRIORITY = 127;

    public EndpointConfig {
        if (weight < 1 || weight > 128) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1..128)");
        }
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority: " + priority + " (expected: 0.." + MAX_PRIORITY + ")");
        }
    }

    /** At priority 0. */
    public EndpointConfig(HostAndPort address, int weight) {
        this(address, weight, 0);
    }
}
