package io.outrigger.config;

/**
 * The admin listener ({@code admin:}).
 *
 * @param address where the admin API listens; default {@code 127.0.0.1:9901} (Envoy's customary port)
 */
public record AdminConfig(HostAndPort address) {
    public static final HostAndPort DEFAULT_ADDRESS = new HostAndPort("127.0.0.1", 9901);

    public AdminConfig {
        if (address == null) {
            throw new IllegalArgumentException("address: null (expected: host:port)");
        }
    }
}
