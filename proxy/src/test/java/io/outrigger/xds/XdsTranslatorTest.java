package io.outrigger.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy v3 resources into Outrigger's config tree: what is reshaped, what waits, what is refused and how it is named. */
class XdsTranslatorTest {
    private static Address socket(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }

    private static LbEndpoint endpoint(String ip, int port, int weight, HealthStatus health) {
        LbEndpoint.Builder b = LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(socket(ip, port)))
                .setHealthStatus(health);
        if (weight > 0) {
            b.setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(weight));
        }
        return b.build();
    }

    @Test
    void anEdsClusterWaitsForItsEndpointsThenTakesTheHealthyOnesWithWeightsAndPriorities() throws Exception {
        Cluster c = Cluster.newBuilder().setName("shop").setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName("shop-v1"))
                .setLbPolicy(Cluster.LbPolicy.RING_HASH).setConnectTimeout(Durations.fromMillis(250))
                .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(
                        com.google.protobuf.UInt64Value.of(2048)))
                .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        Any.pack(HttpProtocolOptions.newBuilder().setExplicitHttpConfig(
                                HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(
                                        Http2ProtocolOptions.getDefaultInstance()))
                                .setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions
                                        .newBuilder().setIdleTimeout(Durations.fromSeconds(90))
                                        .setMaxRequestsPerConnection(com.google.protobuf.UInt32Value.of(1000)))
                                .build()))
                .build();
        XdsTranslator.Translated waiting = XdsTranslator.cluster(c, Map.of());
        assertThat(waiting.tree()).isNull();
        assertThat(waiting.missing()).isEqualTo(new XdsTranslator.Missing(XdsTypes.EDS, "shop-v1"));

        ClusterLoadAssignment cla = ClusterLoadAssignment.newBuilder().setClusterName("shop-v1")
                .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(endpoint("10.0.0.1", 80, 3, HealthStatus.HEALTHY))
                        .addLbEndpoints(endpoint("10.0.0.2", 80, 0, HealthStatus.UNKNOWN))
                        .addLbEndpoints(endpoint("10.0.0.3", 80, 0, HealthStatus.DRAINING))
                        .addLbEndpoints(endpoint("10.0.0.4", 80, 0, HealthStatus.UNHEALTHY)))
                .addEndpoints(LocalityLbEndpoints.newBuilder().setPriority(1)
                        .addLbEndpoints(endpoint("::1", 8080, 0, HealthStatus.UNKNOWN)))
                .build();
        Map<String, Object> tree = XdsTranslator.cluster(c, Map.of("shop-v1", cla)).tree();
        assertThat(tree).containsEntry("name", "shop").containsEntry("type", "eds")
                .containsEntry("lb_policy", "ring_hash").containsEntry("connect_timeout", "0.250s")
                .containsEntry("ring_hash", Map.of("minimum_ring_size", "2048"))
                .containsEntry("http2_protocol_options", Map.of())
                .containsEntry("connection_pool", Map.of("idle_timeout", "90s", "max_requests_per_connection", 1000))
                .doesNotContainKeys("eds_cluster_config", "typed_extension_protocol_options", "ring_hash_lb_config");
        assertThat(tree.get("endpoints")).isEqualTo(List.of(
                Map.of("address", "10.0.0.1:80", "weight", 3, "priority", 0),
                Map.of("address", "10.0.0.2:80", "weight", 1, "priority", 0),
                Map.of("address", "[::1]:8080", "weight", 1, "priority", 1)));
    }

    @Test
    void whatCannotBeTakenIsNamed() {
        Cluster tls = Cluster.newBuilder().setName("s").setTransportSocket(TransportSocket.newBuilder().setName("tls")).build();
        assertThatThrownBy(() -> XdsTranslator.cluster(tls, Map.of())).hasMessageContaining("transport_socket");
        Cluster headersCount = Cluster.newBuilder().setName("s").putTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(HttpProtocolOptions.newBuilder()
                        .setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
                                .setMaxHeadersCount(com.google.protobuf.UInt32Value.of(50))).build())).build();
        assertThatThrownBy(() -> XdsTranslator.cluster(headersCount, Map.of()))
                .hasMessageContaining("common_http_protocol_options.max_headers_count: not supported");
        Cluster original = Cluster.newBuilder().setName("s").setType(Cluster.DiscoveryType.ORIGINAL_DST).build();
        assertThatThrownBy(() -> XdsTranslator.cluster(original, Map.of())).hasMessageContaining("type: ORIGINAL_DST");
        Listener twoChains = listener(hcm(HttpFilter.newBuilder().setName("router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())).build()))
                .toBuilder().addFilterChains(FilterChain.getDefaultInstance()).build();
        assertThatThrownBy(() -> XdsTranslator.listener(twoChains, Map.of())).hasMessageContaining("filter_chains: 2 chains");
        Listener routerFirst = listener(hcm(
                HttpFilter.newBuilder().setName("router").setTypedConfig(Any.pack(Router.getDefaultInstance())).build(),
                HttpFilter.newBuilder().setName("cors").setTypedConfig(Any.pack(Cors.getDefaultInstance())).build()));
        assertThatThrownBy(() -> XdsTranslator.listener(routerFirst, Map.of())).hasMessageContaining("the router must be the last");
        Listener unknownFilter = listener(hcm(HttpFilter.newBuilder().setName("lua").setTypedConfig(
                Any.newBuilder().setTypeUrl("type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua")).build()));
        assertThatThrownBy(() -> XdsTranslator.listener(unknownFilter, Map.of())).isInstanceOf(XdsException.class)
                .hasMessageContaining("envoy.extensions.filters.http.lua.v3.Lua");
    }

    private static HttpConnectionManager hcm(HttpFilter... filters) {
        return HttpConnectionManager.newBuilder().setStatPrefix("in").setRds(Rds.newBuilder().setRouteConfigName("r"))
                .addAllHttpFilters(List.of(filters)).build();
    }

    private static Listener listener(HttpConnectionManager hcm) {
        return Listener.newBuilder().setName("in").setAddress(socket("0.0.0.0", 15001))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm)))).build();
    }

    @Test
    void aListenerWaitsForItsRoutesThenCarriesFiltersVirtualHostsAndPerRouteSettings() throws Exception {
        HttpConnectionManager hcm = hcm(
                HttpFilter.newBuilder().setName("envoy.filters.http.cors").setTypedConfig(Any.pack(Cors.getDefaultInstance())).build(),
                HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())).build())
                .toBuilder().setStreamIdleTimeout(Durations.fromSeconds(30)).build();
        Listener l = listener(hcm);
        assertThat(XdsTranslator.rdsName(l)).isEqualTo("r");
        assertThat(XdsTranslator.listener(l, Map.of()).missing()).isEqualTo(new XdsTranslator.Missing(XdsTypes.RDS, "r"));

        RouteConfiguration rc = RouteConfiguration.newBuilder().setName("r").addVirtualHosts(VirtualHost.newBuilder()
                .setName("all").addDomains("*")
                .putTypedPerFilterConfig("envoy.filters.http.cors", Any.pack(CorsPolicy.newBuilder()
                        .setAllowMethods("GET").build()))
                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/api"))
                        .setRoute(RouteAction.newBuilder().setCluster("shop").setTimeout(Durations.fromSeconds(3)))
                        .putTypedPerFilterConfig("envoy.filters.http.cors", Any.pack(FilterConfig.newBuilder()
                                .setDisabled(true).build())))).build();
        Map<String, Object> tree = XdsTranslator.listener(l, Map.of("r", rc)).tree();
        assertThat(tree).containsEntry("name", "in").containsEntry("address", "0.0.0.0:15001")
                .containsEntry("stream_idle_timeout", "30s")
                .containsEntry("http_filters", List.of(Map.of("name", "cors")))
                .doesNotContainKeys("stat_prefix", "rds", "filter_chains");
        assertThat(tree.get("virtual_hosts")).isEqualTo(List.of(Map.of("name", "all", "domains", List.of("*"),
                "typed_per_filter_config", Map.of("cors", Map.of("allow_methods", "GET")),
                "routes", List.of(Map.of("match", Map.of("prefix", "/api"),
                        "route", Map.of("cluster", "shop", "timeout", "3s"),
                        "typed_per_filter_config", Map.of("cors", Map.of("disabled", true)))))));
    }

    @Test
    void upstreamTlsTakesItsClientCertificateAndCaFromSdsAsPrivateFiles() throws Exception {
        var ctx = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.newBuilder().setSni("shop.internal")
                .setCommonTlsContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                                .SdsSecretConfig.newBuilder().setName("client"))
                        .setValidationContextSdsSecretConfig(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                                .SdsSecretConfig.newBuilder().setName("ca")))
                .build();
        Cluster c = Cluster.newBuilder().setName("shop").setTransportSocket(TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(ctx))).build();
        assertThat(XdsTranslator.sdsNames(c)).containsExactly("client", "ca");
        SecretFiles files = new SecretFiles();
        assertThat(XdsTranslator.cluster(c, Map.of(), Map.of(), files).missing())
                .isEqualTo(new XdsTranslator.Missing(XdsTypes.SDS, "client"));
        var client = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName("client")
                .setTlsCertificate(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate.newBuilder()
                        .setCertificateChain(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineString("CHAIN"))
                        .setPrivateKey(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setFilename("/etc/k.pem")))
                .build();
        var ca = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName("ca")
                .setValidationContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                        .newBuilder().setTrustedCa(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
                                .setInlineBytes(com.google.protobuf.ByteString.copyFromUtf8("CA")))).build();
        @SuppressWarnings("unchecked")
        Map<String, Object> tls = (Map<String, Object>) XdsTranslator.cluster(c, Map.of(),
                Map.of("client", client, "ca", ca), files).tree().get("tls");
        assertThat(tls).containsEntry("sni", "shop.internal").containsEntry("private_key", "/etc/k.pem");
        java.nio.file.Path chain = java.nio.file.Path.of((String) tls.get("certificate_chain"));
        assertThat(java.nio.file.Files.readString(chain)).isEqualTo("CHAIN");
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of((String) tls.get("trusted_ca")))).isEqualTo("CA");
        assertThat(java.nio.file.Files.getPosixFilePermissions(chain)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(files.write("CHAIN")).as("content-addressed: the same material, the same file").isEqualTo(chain.toString());
    }

    @Test
    void healthChecksAndCircuitBreakersTakeOutriggersShape() throws Exception {
        Cluster c = Cluster.newBuilder().setName("s")
                .addHealthChecks(io.envoyproxy.envoy.config.core.v3.HealthCheck.newBuilder()
                        .setTimeout(Durations.fromSeconds(1)).setInterval(Durations.fromSeconds(5))
                        .setUnhealthyThreshold(com.google.protobuf.UInt32Value.of(2))
                        .setHealthyThreshold(com.google.protobuf.UInt32Value.of(1))
                        .setHttpHealthCheck(io.envoyproxy.envoy.config.core.v3.HealthCheck.HttpHealthCheck.newBuilder()
                                .setPath("/healthz")))
                .setCircuitBreakers(io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder().addThresholds(
                        io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds.newBuilder()
                                .setMaxConnections(com.google.protobuf.UInt32Value.of(100))
                                .setMaxPendingRequests(com.google.protobuf.UInt32Value.of(10))))
                .build();
        Map<String, Object> tree = XdsTranslator.cluster(c, Map.of()).tree();
        assertThat(tree.get("health_check")).isEqualTo(Map.of("timeout", "1s", "interval", "5s",
                "unhealthy_threshold", 2, "healthy_threshold", 1, "path", "/healthz"));
        assertThat(tree.get("circuit_breakers")).isEqualTo(Map.of("max_connections", 100, "max_pending_requests", 10));
        Cluster high = c.toBuilder().setCircuitBreakers(io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder()
                .addThresholds(io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds.newBuilder()
                        .setPriority(io.envoyproxy.envoy.config.core.v3.RoutingPriority.HIGH))).build();
        assertThatThrownBy(() -> XdsTranslator.cluster(high, Map.of())).hasMessageContaining("priority HIGH");
        Cluster maglev = Cluster.newBuilder().setName("m").setLbPolicy(Cluster.LbPolicy.MAGLEV)
                .setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder().setTableSize(com.google.protobuf.UInt64Value.of(65537)))
                .build();
        assertThat(XdsTranslator.cluster(maglev, Map.of()).tree()).containsEntry("lb_policy", "maglev")
                .doesNotContainKey("maglev_lb_config");
        Cluster smaller = maglev.toBuilder().setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder()
                .setTableSize(com.google.protobuf.UInt64Value.of(251))).build();
        assertThatThrownBy(() -> XdsTranslator.cluster(smaller, Map.of())).hasMessageContaining("table_size: 251");
    }
}
