package io.outrigger.config;

import java.time.Duration;
import java.util.List;

/**
 * One listener ({@code listeners[]}): a TCP address serving HTTP/1.1 and HTTP/2, in cleartext or TLS, and with TLS
 * optionally HTTP/3 on the same port number over UDP.
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
 * @param upgradeConfigs {@code upgrade_configs}: which upgrades pass (WebSocket on by default)
 * @param streamIdleTimeout {@code stream_idle_timeout}: no bytes either way on a stream for this long ends it;
 *                      default 5 min (Envoy's); {@code ZERO} disables it
 * @param idleTimeout   {@code idle_timeout}: a downstream connection with no stream for this long closes (HTTP/2:
 *                      GOAWAY first); default 1 h (Envoy's); {@code ZERO} disables it
 * @param connection    codecs and limits for downstream connections ({@code codec_type}, {@code request_headers_timeout},
 *                      {@code max_requests_per_connection}, {@code http2_protocol_options}, {@code max_connections},
 *                      {@code strict_transport_security})
 * @param drainType     {@code drain_type} (Envoy's): {@code default} drains on SIGTERM and when a reload removes or
 *                      changes the listener; {@code modify_only} only for a reload — an outbound listener the app
 *                      calls through keeps serving while the app finishes its own drain
 * @param http3         when not {@code null} ({@code http3: { enabled: true }} on a TLS listener), HTTP/3 over QUIC on
 *                      a UDP socket with the listener's port number
 */
public record ListenerConfig(String name, HostAndPort address, List<HttpFilterConfig> httpFilters,
                             List<VirtualHostConfig> virtualHosts, DownstreamTlsConfig tls, List<AccessLogConfig> accessLogs,
                             boolean alwaysSetRequestIdInResponse, InternalAddressConfig internalAddressConfig,
                             boolean preserveExternalRequestId, List<UpgradeConfig> upgradeConfigs,
                             Duration streamIdleTimeout, Duration idleTimeout, DownstreamConnectionConfig connection,
                             DrainType drainType, Http3Config http3) {
    /** Envoy's {@code Listener.DrainType}. */
    public enum DrainType {
        /** Drains on server shutdown (SIGTERM, {@code /drain_listeners}) and on removal or change by a reload. */
        DEFAULT,
        /** Drains only on removal or change by a reload: keeps serving through a server drain until the process exits. */
        MODIFY_ONLY
    }

    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

    public ListenerConfig {
        upgradeConfigs = List.copyOf(upgradeConfigs);
        httpFilters = List.copyOf(httpFilters);
        virtualHosts = List.copyOf(virtualHosts);
        accessLogs = List.copyOf(accessLogs);
    }
}
