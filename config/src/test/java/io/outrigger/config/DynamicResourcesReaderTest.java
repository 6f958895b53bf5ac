package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bootstrap's node and dynamic_resources: both spellings of the ADS source, defaults, located errors. */
class DynamicResourcesReaderTest {
    private static List<String> errors(String yaml) {
        try {
            new ConfigLoader().load("x.yaml", yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    @Test
    void envoysSpellingAndOursReadTheSameAndListenersMayAllComeFromTheControlPlane() throws Exception {
        OutriggerConfig c = new ConfigLoader().load("x.yaml", """
                node: { id: sidecar-1, cluster: shop, metadata: { zone: a } }
                dynamic_resources:
                  ads_config: { api_type: DELTA_GRPC, transport_api_version: V3, grpc_services: [ { envoy_grpc: { cluster_name: xds } } ] }
                  lds_config: { ads: {}, resource_api_version: V3 }
                  cds_config: { ads: {} }
                  initial_fetch_timeout: 5s
                clusters: [ { name: xds, endpoints: [ 127.0.0.1:18000 ], http2_protocol_options: {} } ]
                """);
        assertThat(c.listeners()).isEmpty();
        assertThat(c.dynamicResources()).isEqualTo(new DynamicResourcesConfig(
                new DynamicResourcesConfig.Node("sidecar-1", "shop", Map.of("zone", "a")), "xds", true, true, true, false,
                Duration.ofSeconds(5)));
        OutriggerConfig shorter = new ConfigLoader().load("x.yaml", """
                node: { id: sidecar-1 }
                dynamic_resources: { ads_config: { cluster: xds }, cds_config: { ads: {} } }
                listeners:
                  - name: in
                    address: 127.0.0.1:0
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: from-cds } } ] } ]
                clusters: [ { name: xds, endpoints: [ 127.0.0.1:18000 ] } ]
                """);
        assertThat(shorter.dynamicResources().delta()).isFalse();
        assertThat(shorter.dynamicResources().lds()).isFalse();
        assertThat(shorter.dynamicResources().initialFetchTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(shorter.warnings()).extracting(ConfigError::toString).containsExactly("x.yaml:6:103: listeners[0]"
                + ".virtual_hosts[0].routes[0].route.cluster: cluster 'from-cds' is not in this file: the control plane "
                + "must send it (CDS); until then requests here get 503");
    }

    @Test
    void mistakesAreLocated() {
        assertThat(errors("""
                dynamic_resources:
                  ads_config: { cluster: nowhere, api_type: REST }
                  lds_config: { path: /etc/lds.yaml }
                clusters: [ { name: xds, endpoints: [ 127.0.0.1:18000 ] } ]
                """)).containsExactly(
                "x.yaml:2:3: dynamic_resources: dynamic_resources needs 'node: { id: ... }' (the control plane tells sidecars apart by it)",
                "x.yaml:2:3: dynamic_resources: expected lds_config and/or cds_config: { ads: {} }",
                "x.yaml:2:26: dynamic_resources.ads_config.cluster: unknown cluster 'nowhere' (the ADS cluster must be a static cluster of this file)",
                "x.yaml:2:45: dynamic_resources.ads_config.api_type: 'REST' (expected: one of GRPC, DELTA_GRPC)",
                "x.yaml:3:15: dynamic_resources.lds_config: expected { ads: {} } (resources come over the ADS stream of ads_config)",
                "x.yaml:3:17: dynamic_resources.lds_config.path: unknown key 'path'");
        assertThat(errors("""
                listeners:
                  - name: in
                    address: 127.0.0.1:0
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: from-cds } } ] } ]
                clusters: [ { name: xds, endpoints: [ 127.0.0.1:18000 ] } ]
                """)).as("without CDS a route's cluster must be in the file").hasSize(1)
                .allSatisfy(e -> assertThat(e).contains("'from-cds' (expected: the name of a cluster; known: xds)"));
    }
}
