package io.outrigger.config;

import java.time.Duration;
import java.util.List;

/**
 * How a {@code strict_dns} or {@code logical_dns} cluster discovers its hosts (Envoy's cluster fields of those names).
 *
 * @param type          {@link Type#STRICT_DNS}: every A/AAAA record of an endpoint's name is a host;
 *                      {@link Type#LOGICAL_DNS}: the first address of each resolution is the endpoint's one host
 * @param refreshRate   {@code dns_refresh_rate}: time between resolutions; default 5 s (Envoy's)
 * @param respectDnsTtl {@code respect_dns_ttl}: re-resolve when the records' TTL runs out instead (never more often
 *                      than every second); default false
 * @param resolvers     {@code dns_resolvers}: name servers ({@code host:port}, port 53 if omitted); empty: the system's
 *                      ({@code /etc/resolv.conf})
 * @param lookupFamily  {@code dns_lookup_family}; default {@link LookupFamily#AUTO}
 */
public record DnsConfig(Type type, Duration refreshRate, boolean respectDnsTtl, List<HostAndPort> resolvers,
                        LookupFamily lookupFamily) {
    public static final Duration DEFAULT_REFRESH_RATE = Duration.ofSeconds(5);

    public DnsConfig {
        resolvers = List.copyOf(resolvers);
    }

    /** Envoy's cluster discovery types that use DNS. */
    public enum Type {
        STRICT_DNS("strict_dns"),
        LOGICAL_DNS("logical_dns");

        private final String yamlName;

        Type(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }

    /** Envoy's {@code dns_lookup_family}. */
    public enum LookupFamily {
        /** IPv6 (AAAA) if the name has any, else IPv4 (Envoy's default). */
        AUTO,
        /** IPv4 (A) only. */
        V4_ONLY,
        /** IPv6 (AAAA) only. */
        V6_ONLY,
        /** IPv4 if the name has any, else IPv6. */
        V4_PREFERRED,
        /** Both, IPv4 first. */
        ALL
    }
}
