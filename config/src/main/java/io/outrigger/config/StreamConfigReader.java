package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** A cluster's {@code http2_protocol_options}. */
    static Http2ProtocolOptions http2Options(ConfigNode n) {
        ConfigMap m = n.asMap();
        Http2ProtocolOptions d = Http2ProtocolOptions.DEFAULT;
        int streams = (int) m.integer("max_concurrent_streams", d.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
        int streamWindow = (int) m.size("initial_stream_window_size", d.initialStreamWindowSize(), 65_535, Integer.MAX_VALUE);
        int connWindow = (int) m.size("initial_connection_window_size", d.initialConnectionWindowSize(), 65_535,
                Integer.MAX_VALUE);
        Duration[] keepalive = new Duration[2];
        m.optional("connection_keepalive").ifPresent(k -> {
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
