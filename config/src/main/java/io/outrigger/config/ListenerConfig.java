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
 * @param internalAddressConfig downstream addresses trusted as an internal hop: their {@code x-request-id} is
 *                      kept and their {@code x-client-trace-id} forces tracing; default {@link InternalAddressConfig#DEFAULT}
 * @param preserveExternalRequestId keep {@code x-request-id} from external (non-internal) callers too; default false
 */
public record ListenerConfig(String name, HostAndPort address, List<HttpFilterConfig> httpFilters,
                             List<VirtualHostConfig> virtualHosts, DownstreamTlsConfig tls, List<AccessLogConfig> accessLogs,
                             boolean alwaysSetRequestIdInResponse, InternalAddressConfig internalAddressConfig,
                             boolean preserveExternalRequestId) {
    public ListenerConfig {
        httpFilters = List.copyOf(httpFilters);
        virtualHosts = List.copyOf(virtualHosts);
        accessLogs = List.copyOf(accessLogs);
    }
}
