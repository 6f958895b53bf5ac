package io.outrigger.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.outrigger.Main;
import io.outrigger.config.ClusterConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.server.ConfigWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources as a control plane typically sends them, composed with a file and read by the ordinary config reader: the
 * translated shapes are ones the reader takes, and an error names the resource.
 */
class XdsComposerTest {
    @TempDir
    Path dir;

    private XdsComposer composer() throws Exception {
        Path file = Files.writeString(dir.resolve("outrigger.yaml"), """
                node: { id: n }
                dynamic_resources: { ads_config: { cluster: xds }, lds_config: { ads: {} }, cds_config: { ads: {} } }
                clusters: [ { name: xds, endpoints: [ 127.0.0.1:18000 ], http2_protocol_options: {} } ]
                """);
        return new XdsComposer(file, (f, text) -> {
            Main.Loaded l = Main.load(f.toString(), text);
            return new ConfigWatcher.Prepared(l.config(), l.filters());
        });
    }

    private static Address socket(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
    }

    private static XdsResources resources(Cluster cluster) {
        ClusterLoadAssignment cla = ClusterLoadAssignment.newBuilder().setClusterName("shop").addEndpoints(
                LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(
                        Endpoint.newBuilder().setAddress(socket("127.0.0.1", 9001))))).build();
        RouteConfiguration rc = RouteConfiguration.newBuilder().setName("r").addVirtualHosts(VirtualHost.newBuilder()
                .setName("all").addDomains("*").addRoutes(Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster("shop").setTimeout(Durations.fromSeconds(3))
                                .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx,reset")
                                        .setNumRetries(UInt32Value.of(2)).setPerTryTimeout(Durations.fromMillis(500))))))
                .build();
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("in")
                .setRds(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds.newBuilder()
                        .setRouteConfigName("r"))
                .addHttpFilters(HttpFilter.newBuilder().setName("router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
                .build();
        Listener l = Listener.newBuilder().setName("in").setAddress(socket("127.0.0.1", 0))
                .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("hcm")
                        .setTypedConfig(Any.pack(hcm)))).build();
        return XdsResources.EMPTY.with(XdsTypes.CDS, Map.of("shop", cluster), "1")
                .with(XdsTypes.EDS, Map.of("shop", cla), "1")
                .with(XdsTypes.LDS, Map.of("in", l), "1")
                .with(XdsTypes.RDS, Map.of("r", rc), "1");
    }

    @Test
    void aTypicalSetComposesWithTheFileAndEveryShapeIsRead() throws Exception {
        Cluster shop = Cluster.newBuilder().setName("shop").setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.getDefaultInstance())
                .setConnectTimeout(Durations.fromMillis(250)).setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
                .addHealthChecks(HealthCheck.newBuilder().setTimeout(Durations.fromSeconds(1))
                        .setInterval(Durations.fromSeconds(5)).setUnhealthyThreshold(UInt32Value.of(2))
                        .setHealthyThreshold(UInt32Value.of(1))
                        .setHttpHealthCheck(HealthCheck.HttpHealthCheck.newBuilder().setPath("/healthz")))
                .setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(UInt32Value.of(100)).setMaxPendingRequests(UInt32Value.of(10))))
                .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3))
                        .setBaseEjectionTime(Durations.fromSeconds(10)).setMaxEjectionPercent(UInt32Value.of(50)))
                .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(
                        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                                .setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions
                                        .newBuilder().setIdleTimeout(Durations.fromMillis(1500))
                                        .setMaxRequestsPerConnection(UInt32Value.of(1000)))
                                .setUseDownstreamProtocolConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
                                        .HttpProtocolOptions.UseDownstreamHttpConfig.getDefaultInstance())
                                .build()))
                .build();
        XdsComposer.Composed c = composer().compose(resources(shop));
        assertThat(c.waiting()).isEmpty();
        OutriggerConfig config = c.prepared().config();
        assertThat(config.listeners()).extracting(l -> l.name()).containsExactly("in");
        ClusterConfig cluster = config.cluster("shop").orElseThrow();
        assertThat(cluster.lbPolicy()).isEqualTo(ClusterConfig.LbPolicy.LEAST_REQUEST);
        assertThat(cluster.healthCheck().path()).isEqualTo("/healthz");
        assertThat(cluster.circuitBreakers().maxConnections()).isEqualTo(100);
        assertThat(cluster.outlierDetection()).isNotNull();
        assertThat(cluster.endpoints()).hasSize(1);
        // common_http_protocol_options: our connection_pool, for both protocols of use_downstream_protocol
        assertThat(cluster.connectionPool().http1IdleTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(cluster.connectionPool().http2IdleTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(cluster.connectionPool().maxRequestsPerConnection()).isEqualTo(1000);
        assertThat(config.cluster("xds")).as("the file's own").isPresent();
    }

    @Test
    void anErrorNamesTheResourceAndTheField() throws Exception {
        Cluster bad = Cluster.newBuilder().setName("shop").setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.getDefaultInstance())
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build();
        XdsComposer composer = composer();
        assertThatThrownBy(() -> composer.compose(resources(bad))).isInstanceOf(XdsException.class)
                .hasMessageStartingWith("cluster 'shop': lb_policy: 'cluster_provided' (expected: one of");
    }
}
