package io.outrigger.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Envoy v3 resources as plain maps: protobuf's own JSON mapping (proto field names, the snake_case names Outrigger's
 * YAML shares with Envoy), read back into maps and lists. The type registry lists the {@code typed_config} types
 * Outrigger understands; any other {@code Any} fails the conversion, naming its type.
 */
final class ProtoJson {
    static final JsonFormat.TypeRegistry REGISTRY = JsonFormat.TypeRegistry.newBuilder()
            .add(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.decompressor.v3.Decompressor.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.zstd.compressor.v3.Zstd.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.gzip.decompressor.v3.Gzip.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.brotli.decompressor.v3.Brotli.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.compression.zstd.decompressor.v3.Zstd.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig.getDescriptor())
            .add(io.envoyproxy.envoy.config.route.v3.FilterConfig.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
            .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDescriptor())
            .build();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace().usingTypeRegistry(REGISTRY);

    private ProtoJson() {
    }

    /**
     * The message as a map of its set fields (proto3 JSON: defaults left out, durations as {@code "1.5s"}, enums by
     * name, 64-bit integers as strings).
     *
     * @throws XdsException when a {@code typed_config} has a type Outrigger does not know
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(MessageOrBuilder message) throws XdsException {
        String json;
        try {
            json = PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new XdsException("typed_config: " + e.getMessage() + " (not supported)");
        }
        Object o = new Load(LoadSettings.builder().build()).loadFromString(json);
        return o instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }
}
