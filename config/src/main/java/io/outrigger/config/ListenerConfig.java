package io.outrigger.config;

import java.util.List;

/**
 * One listener ({@code listeners[]}): a TCP address serving HTTP/1.1 and HTTP/2, in cleartext or TLS.
 *
 * @param name          unique name, used in logs and stats
 * @param address       where to accept connections; unique among listeners
 * @param httpFilters   HTTP filters in order; the router runs after them
 * @param virtualHosts  virtual hosts, selected by {@code Host}/{@code :authority}
 * @param tls           when not {@code null}, the listener serves TLS (HTTP/1.1 and HTTP/2 by ALPN)
 *                      instead of cleartext
 * @param accessLogs    where request lines go; default one text log to stdout; empty: none
 * @param alwaysSetRequestIdInResponse echo {@code x-request-id} in responses (Envoy's option of that name); default false
 * @param internalAddresses downstream addresses trusted as an internal hop ({@code internal_address_config.cidr_ranges}):
 *                      their {@code x-request-id} is kept and their {@code x-client-trace-id} forces tracing;
 *                      default loopback and the private ranges (RFC 1918, RFC 4193), Envoy's classic default
 * @param preserveExternalRequestId keep {@code x-request-id} from external (non-internal) callers too; default false
 */
public record ListenerConfig(String name, HostAndPort address, List<HttpFilterConfig> httpFilters,
                             List<VirtualHostConfig> virtualHosts, DownstreamTlsConfig tls, List<AccessLogConfig> accessLogs,
                             boolean alwaysSetRequestIdInResponse, List<CidrRange> internalAddresses,
                             boolean preserveExternalRequestId) {
    public static final List<CidrRange> DEFAULT_INTERNAL_ADDRESSES = List.of(
            new CidrRange("127.0.0.0", 8), new CidrRange("10.0.0.0", 8), new CidrRange("172.16.0.0", 12),
            new CidrRange("192.168.0.0", 16), new CidrRange("::1", 128), new CidrRange("fc00::", 7));

    public ListenerConfig {
        internalAddresses = List.copyOf(internalAddresses);
        httpFilters = List.copyOf(httpFilters);
        virtualHosts = List.copyOf(virtualHosts);
        accessLogs = List.copyOf(accessLogs);
    }
}
