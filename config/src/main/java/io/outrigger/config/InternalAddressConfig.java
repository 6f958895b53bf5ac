package io.outrigger.config;

import java.util.List;

/**
 * Which downstream peers are an internal, trusted hop (Envoy's {@code internal_address_config}).
 *
 * @param cidrRanges the trusted ranges; an empty list trusts nobody
 */
public record InternalAddressConfig(List<CidrRange> cidrRanges) {
    /** Loopback and the private ranges (RFC 1918, RFC 4193): Envoy's classic default. */
    public static final InternalAddressConfig DEFAULT = new InternalAddressConfig(List.of(
            new CidrRange("127.0.0.0", 8), new CidrRange("10.0.0.0", 8), new CidrRange("172.16.0.0", 12),
            new CidrRange("192.168.0.0", 16), new CidrRange("::1", 128), new CidrRange("fc00::", 7)));

    public InternalAddressConfig {
        cidrRanges = List.copyOf(cidrRanges);
    }
}
