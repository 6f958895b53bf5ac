package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the keys about protocols and long-lived streams: {@code upgrade_configs}, a cluster's
 * {@code http2_protocol_options} (and its agreement with {@code tls.alpn_protocols}), a route's
 * {@code max_stream_duration}. Errors are recorded on the nodes, with their line and column.
 */
final class StreamConfigReader {
    /** A route's {@code max_stream_duration}; {@code null} fields are unset. */
    record MaxStreamDuration(Duration max, Duration grpcTimeoutHeaderMax) {
        static final MaxStreamDuration NONE = new MaxStreamDuration(null, null);
    }

    private StreamConfigReader() {
    }

    /** A listener's or route's {@code upgrade_configs}: {@code websocket} or {@code CONNECT} entries. */
    static List<UpgradeConfig> upgradeConfigs(ConfigMap m) {
        List<UpgradeConfig> out = new ArrayList<>();
        for (ConfigNode u : m.list("upgrade_configs")) {
            ConfigMap um = u.asMap();
            Optional<ConfigNode> typeNode = um.required("upgrade_type");
            String t = typeNode.flatMap(ConfigNode::asString).orElse(null);
            boolean enabled = um.bool("enabled", true);
            um.finish();
            if (t == null) {
                continue;
            }
            if (t.equalsIgnoreCase(UpgradeConfig.WEBSOCKET) || t.equalsIgnoreCase(UpgradeConfig.CONNECT)) {
                out.add(new UpgradeConfig(t, enabled));
            } else {
                typeNode.get().error("'" + t + "' (expected: websocket or CONNECT)");
            }
        }
        return out;
    }

    private static final Map<String, DownstreamConnectionConfig.CodecType> CODEC_TYPES = new LinkedHashMap<>();

    static {
        for (DownstreamConnectionConfig.CodecType t : DownstreamConnectionConfig.CodecType.values()) {
            CODEC_TYPES.put(t.name(), t);
        }
    }

    /** A listener's connection keys: {@code codec_type}, limits, {@code http2_protocol_options}. */
    static DownstreamConnectionConfig downstream(ConfigMap m, boolean tls) {
        DownstreamConnectionConfig d = DownstreamConnectionConfig.DEFAULT;
        DownstreamConnectionConfig.CodecType codec = m.oneOf("codec_type", CODEC_TYPES, d.codecType());
        Duration headers = m.duration("request_headers_timeout", d.requestHeadersTimeout(), Duration.ZERO);
        long maxRequests = m.integer("max_requests_per_connection", 0, 0, Long.MAX_VALUE);
        Http2ProtocolOptions h2 = m.optional("http2_protocol_options")
                .map(n -> http2Options(n, DownstreamConnectionConfig.DEFAULT_HTTP2, false)).orElse(d.http2());
        int maxConnections = (int) m.integer("max_connections", 0, 0, Integer.MAX_VALUE);
        Optional<ConfigNode> hsts = m.optional("strict_transport_security");
        String hstsValue = hsts.flatMap(ConfigNode::asString).orElse(null);
        if (hstsValue != null && !tls) {
            hsts.get().error("strict_transport_security needs a tls listener (RFC 6797 §7.2: not sent over cleartext)");
        } else if (hstsValue != null && !hstsValue.trim().toLowerCase(java.util.Locale.ROOT).startsWith("max-age=")) {
            hsts.get().error("'" + hstsValue + "' (expected: max-age=SECONDS[; includeSubDomains][; preload])");
        }
        return new DownstreamConnectionConfig(codec, headers, maxRequests, h2, maxConnections, hstsValue);
    }

    private static final Map<String, Http3Config.AddressValidation> ADDRESS_VALIDATION = new LinkedHashMap<>();

    static {
        for (Http3Config.AddressValidation v : Http3Config.AddressValidation.values()) {
            ADDRESS_VALIDATION.put(v.name().toLowerCase(java.util.Locale.ROOT), v);
        }
    }

    /**
     * A listener's {@code http3}; {@code null} when {@code enabled} is false.
     *
     * @param tls whether the listener has a {@code tls} block (QUIC always runs TLS 1.3, RFC 9001)
     */
    static Http3Config http3(ConfigNode n, boolean tls) {
        ConfigMap m = n.asMap();
        Http3Config d = Http3Config.DEFAULT;
        boolean enabled = m.bool("enabled", true);
        int streams = (int) m.integer("max_concurrent_streams", d.maxConcurrentStreams(), 1, 1 << 20);
        long streamWindow = m.size("initial_stream_window_size", d.initialStreamWindowSize(), 1024, 1L << 30);
        long connWindow = m.size("initial_connection_window_size", d.initialConnectionWindowSize(), 1024, 1L << 32);
        Duration idle = m.duration("idle_network_timeout", d.idleNetworkTimeout(), Duration.ofSeconds(1));
        int packet = (int) m.size("max_packet_length", d.maxPacketLength(), 1200, 65_527);
        if (m.bool("enable_early_data", false)) {
            // Netty 4.2.18's QUIC server (quiche) completes no 0-RTT handshake with HTTP/3 here: ngtcp2's client sees its
            // early data rejected, Netty's own client stalls; so 0-RTT stays off and no request is replayable
            m.optional("enable_early_data").get().error("0-RTT is not supported (early data stays off: every request "
                    + "waits for the handshake, so none can be replayed)");
        }
        Http3Config.AddressValidation validation = m.oneOf("address_validation", ADDRESS_VALIDATION, d.addressValidation());
        int pending = (int) m.integer("retry_above_pending_handshakes", d.retryAbovePendingHandshakes(), 0, 1 << 20);
        m.finish();
        if (enabled && !tls) {
            n.error("http3 needs a tls listener (QUIC always runs TLS 1.3, RFC 9001)");
        }
        return enabled ? new Http3Config(streams, streamWindow, connWindow, idle, packet, validation, pending)
                : null;
    }

    /** The top-level {@code overload_manager}. */
    static OverloadManagerConfig overloadManager(ConfigNode n) {
        ConfigMap m = n.asMap();
        OverloadManagerConfig d = OverloadManagerConfig.DEFAULT;
        Duration refresh = m.duration("refresh_interval", d.refreshInterval(), Duration.ofMillis(10));
        double keepalive = d.disableHttpKeepalive();
        double requests = d.stopAcceptingRequests();
        double connections = d.stopAcceptingConnections();
        Optional<ConfigNode> actions = m.optional("actions");
        if (actions.isPresent()) {
            ConfigMap am = actions.get().asMap();
            keepalive = am.fraction("disable_http_keepalive", keepalive);
            requests = am.fraction("stop_accepting_requests", requests);
            connections = am.fraction("stop_accepting_connections", connections);
            am.finish();
        }
        m.finish();
        return new OverloadManagerConfig(refresh, keepalive, requests, connections);
    }

    /** A cluster's {@code http2_protocol_options}. */
    static Http2ProtocolOptions http2Options(ConfigNode n) {
        return http2Options(n, Http2ProtocolOptions.DEFAULT, true);
    }

    private static Http2ProtocolOptions http2Options(ConfigNode n, Http2ProtocolOptions d, boolean keepaliveAllowed) {
        ConfigMap m = n.asMap();
        int streams = (int) m.integer("max_concurrent_streams", d.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
        int streamWindow = (int) m.size("initial_stream_window_size", d.initialStreamWindowSize(), 65_535, Integer.MAX_VALUE);
        int connWindow = (int) m.size("initial_connection_window_size", d.initialConnectionWindowSize(), 65_535,
                Integer.MAX_VALUE);
        Duration[] keepalive = new Duration[2];
        // downstream: connection_keepalive is not read, so it is reported as an unknown key
        (keepaliveAllowed ? m.optional("connection_keepalive") : Optional.<ConfigNode>empty()).ifPresent(k -> {
            ConfigMap km = k.asMap();
            keepalive[0] = km.required("interval").isPresent() ? km.duration("interval", null, Duration.ofMillis(100)) : null;
            keepalive[1] = km.duration("timeout", Http2ProtocolOptions.DEFAULT_KEEPALIVE_TIMEOUT, Duration.ofMillis(1));
            km.finish();
        });
        m.finish();
        return new Http2ProtocolOptions(streams, streamWindow, connWindow, keepalive[0], keepalive[1]);
    }

    /** A route's {@code max_stream_duration: { max_stream_duration, grpc_timeout_header_max }}. */
    static MaxStreamDuration maxStreamDuration(ConfigNode n) {
        ConfigMap m = n.asMap();
        Duration max = m.duration("max_stream_duration", null, Duration.ofMillis(1));
        Duration grpcMax = m.duration("grpc_timeout_header_max", null, Duration.ZERO);
        m.finish();
        return new MaxStreamDuration(max, grpcMax);
    }

    /** The cluster's protocol and its ALPN offer must agree: HTTP/2 needs h2 offered, and h2 alone needs HTTP/2. */
    static void checkAlpn(ConfigMap cluster, Http2ProtocolOptions h2, UpstreamTlsConfig tls) {
        if (h2 != null && tls != null && !tls.alpnProtocols().isEmpty() && !tls.alpnProtocols().contains("h2")) {
            cluster.optional("http2_protocol_options").get().error("needs tls.alpn_protocols to offer h2");
        }
        if (h2 == null && tls != null && tls.alpnProtocols().equals(List.of("h2"))) {
            cluster.optional("tls").get().error("alpn_protocols [h2] needs http2_protocol_options (or add http/1.1)");
        }
    }
}
