package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String VALID = """
            admin: { address: 127.0.0.1:9901 }
            listeners:
              - name: outbound
                address: 127.0.0.1:15001
                http_filters: [ { name: headers, config: { request_headers_to_add: { x-env: prod } } } ]
                virtual_hosts:
                  - name: catalog
                    domains: ["catalog", "catalog:*"]
                    routes:
                      - match: { prefix: /api/, headers: [ { name: x-canary, exact: "1" } ] }
                        route: { cluster: catalog_canary }
                      - match: { prefix: /api/ }
                        route:
                          cluster: catalog
                          timeout: 5s
                          prefix_rewrite: /v2/
                          hash_policy: [ { header: { header_name: X-User-Id } }, { cookie: { name: sid, ttl: 1h } } ]
            clusters:
              - name: catalog
                lb_policy: ring_hash
                ring_hash: { minimum_ring_size: 2048, hashes_per_host: 100 }
                endpoints: [ 10.0.0.7:8080, { address: 10.0.0.8:8080, weight: 3 } ]
                connect_timeout: 250ms
                connection_pool: { max_connections: 64, max_pending_requests: 10, idle_timeout: 2s, max_requests_per_connection: 100 }
              - name: catalog_canary
                endpoints: [ 10.0.0.9:8080 ]
            """;

    private static OutriggerConfig load(String yaml) throws ConfigException {
        return new ConfigLoader(name -> Map.of("PORT", "8080", "HOST", "10.1.2.3").get(name)).load("test.yaml", yaml);
    }

    private static List<String> errors(String yaml) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected errors");
    }

    @Test
    void dnsClustersAndDrainTypeWithDefaultsAndLocatedErrors() throws Exception {
        String base = """
                listeners:
                  - name: out
                    address: 127.0.0.1:15001
                    drain_type: modify_only
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: web } } ] } ]
                clusters:
                """;
        OutriggerConfig c = load(base + """
                  - { name: web, type: strict_dns, endpoints: [ web.svc:80 ], dns_resolvers: [ "127.0.0.1:5353", "10.0.0.2", "[::1]:53" ],
                      dns_lookup_family: v4_only, respect_dns_ttl: true, dns_refresh_rate: 2s }
                """);
        assertThat(c.listeners().get(0).drainType()).isEqualTo(ListenerConfig.DrainType.MODIFY_ONLY);
        DnsConfig dns = c.clusters().get(0).dns();
        assertThat(dns).isEqualTo(new DnsConfig(DnsConfig.Type.STRICT_DNS, Duration.ofSeconds(2), true,
                List.of(new HostAndPort("127.0.0.1", 5353), new HostAndPort("10.0.0.2", 53), new HostAndPort("::1", 53)),
                DnsConfig.LookupFamily.V4_ONLY));
        assertThat(load(base + "  - { name: web, type: logical_dns, endpoints: [ web.svc:80 ] }\n").clusters().get(0).dns())
                .isEqualTo(new DnsConfig(DnsConfig.Type.LOGICAL_DNS, DnsConfig.DEFAULT_REFRESH_RATE, false, List.of(),
                        DnsConfig.LookupFamily.AUTO));
        assertThat(load(base + "  - { name: web, endpoints: [ web.svc:80 ] }\n").clusters().get(0).dns()).isNull();
        assertThat(load(base.replace("drain_type: modify_only", "") + "  - { name: web, endpoints: [ web.svc:80 ] }\n")
                .listeners().get(0).drainType()).isEqualTo(ListenerConfig.DrainType.DEFAULT);

        assertThat(errors(base.replace("modify_only", "sometimes") + """
                  - { name: web, type: eventual_dns, endpoints: [ web.svc:80 ] }
                  - { name: b, endpoints: [ b.svc:80 ], dns_refresh_rate: 1s }
                  - { name: c, type: strict_dns, endpoints: [ c.svc:80 ], dns_resolvers: [ dns.example ], dns_lookup_family: v5 }
                """)).containsExactly(
                "test.yaml:4:17: listeners[0].drain_type: 'sometimes' (expected: one of default, modify_only)",
                "test.yaml:7:24: clusters[0].type: 'eventual_dns' (expected: one of static, strict_dns, logical_dns, aggregate, eds)",
                "test.yaml:8:59: clusters[1].dns_refresh_rate: dns_refresh_rate is for type strict_dns or logical_dns (this cluster is static)",
                "test.yaml:9:76: clusters[2].dns_resolvers[0]: 'dns.example' (expected: a name server's IP address, optionally with a port: 127.0.0.1:5353, [::1]:53)",
                "test.yaml:9:110: clusters[2].dns_lookup_family: 'v5' (expected: one of auto, v4_only, v6_only, v4_preferred, all)");
    }

    @Test
    void streamKeysWithDefaultsAndErrors() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    stream_idle_timeout: 30s
                    upgrade_configs: [ { upgrade_type: websocket, enabled: false } ]
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                          - match: { prefix: / }
                            route: { cluster: c, idle_timeout: 0s, sse_keepalive_interval: 15s,
                                     max_stream_duration: { max_stream_duration: 1h, grpc_timeout_header_max: 30s },
                                     upgrade_configs: [ { upgrade_type: WebSocket } ] }
                clusters:
                  - { name: c, endpoints: [ 127.0.0.1:9090 ] }
                """;
        OutriggerConfig c = load(yaml);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.idleTimeout()).isEqualTo(ListenerConfig.DEFAULT_IDLE_TIMEOUT);
        assertThat(l.upgradeConfigs()).containsExactly(new UpgradeConfig("websocket", false));
        RouteAction a = (RouteAction) l.virtualHosts().get(0).routes().get(0).action();
        assertThat(a.idleTimeout()).isEqualTo(Duration.ZERO);
        assertThat(a.sseKeepaliveInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(a.maxStreamDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(a.grpcTimeoutHeaderMax()).isEqualTo(Duration.ofSeconds(30));
        // the route's entry (enabled by default) overrides the listener's
        assertThat(UpgradeConfig.allowed("websocket", a.upgradeConfigs(), l.upgradeConfigs())).isTrue();
        assertThat(UpgradeConfig.allowed("websocket", List.of(), l.upgradeConfigs())).isFalse();
        assertThat(UpgradeConfig.allowed("CONNECT", List.of(), List.of())).isFalse();

        assertThat(errors(yaml.replace("upgrade_type: WebSocket", "upgrade_type: spdy")))
                .containsExactly("test.yaml:13:57: listeners[0].virtual_hosts[0].routes[0].route.upgrade_configs[0]"
                        + ".upgrade_type: 'spdy' (expected: websocket or CONNECT)");
    }

    @Test
    void downstreamConnectionKeysAndOverloadManagerWithDefaultsAndErrors() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    codec_type: HTTP2
                    request_headers_timeout: 2s
                    max_requests_per_connection: 1000
                    max_connections: 500
                    http2_protocol_options: { max_concurrent_streams: 64, initial_connection_window_size: 4MiB }
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: g } } ] } ]
                  - name: d
                    address: 127.0.0.1:8081
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: g } } ] } ]
                overload_manager: { refresh_interval: 100ms, actions: { stop_accepting_requests: 0.85 } }
                clusters:
                  - { name: g, endpoints: [ 127.0.0.1:9090 ] }
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.listeners().get(0).connection()).isEqualTo(new DownstreamConnectionConfig(
                DownstreamConnectionConfig.CodecType.HTTP2, Duration.ofSeconds(2), 1000,
                new Http2ProtocolOptions(64, 64 * 1024, 4 << 20, null, null), 500, null));
        assertThat(c.listeners().get(1).connection()).isEqualTo(DownstreamConnectionConfig.DEFAULT);
        assertThat(c.overloadManager()).isEqualTo(new OverloadManagerConfig(Duration.ofMillis(100), 0.80, 0.85, 0.95));
        assertThat(load(yaml.replace("overload_manager: { refresh_interval: 100ms, actions: { stop_accepting_requests: 0.85 } }\n", ""))
                .overloadManager()).isEqualTo(OverloadManagerConfig.DEFAULT);

        assertThat(errors(yaml.replace("HTTP2", "h2").replace("0.85", "85")
                .replace("max_connections: 500", "strict_transport_security: max-age=60")
                .replace("initial_connection_window_size: 4MiB", "connection_keepalive: { interval: 1s }")))
                .containsExactly(
                        "test.yaml:4:17: listeners[0].codec_type: 'h2' (expected: one of AUTO, HTTP1, HTTP2)",
                        "test.yaml:7:32: listeners[0].strict_transport_security: strict_transport_security needs a tls "
                                + "listener (RFC 6797 §7.2: not sent over cleartext)",
                        "test.yaml:8:59: listeners[0].http2_protocol_options.connection_keepalive: unknown key "
                                + "'connection_keepalive'",
                        "test.yaml:13:82: overload_manager.actions.stop_accepting_requests: '85' (expected: a fraction "
                                + "between 0 and 1, e.g. 0.9)");
    }

    @Test
    void http3OnATlsListenerWithDefaultsSettingsAndErrors() throws Exception {
        String yaml = """
                listeners:
                  - name: h3
                    address: 127.0.0.1:8443
                    tls: { certificates: [ { certificate_chain: /c.pem, private_key: /k.pem } ] }
                    http3: { enabled: true, max_concurrent_streams: 20, initial_stream_window_size: 128KiB, enable_early_data: false, address_validation: always }
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: g } } ] } ]
                  - name: plain
                    address: 127.0.0.1:8080
                    http3: { enabled: false }
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: g } } ] } ]
                clusters:
                  - { name: g, endpoints: [ 127.0.0.1:9090 ] }
                """;
        OutriggerConfig c = load(yaml);
        Http3Config d = Http3Config.DEFAULT;
        assertThat(c.listeners().get(0).http3()).isEqualTo(new Http3Config(20, 128 * 1024, d.initialConnectionWindowSize(),
                Duration.ofSeconds(300), 1350, Http3Config.AddressValidation.ALWAYS, 64));
        assertThat(c.listeners().get(1).http3()).isNull(); // enabled: false
        assertThat(load(yaml.replace("max_concurrent_streams: 20, initial_stream_window_size: 128KiB, "
                + "enable_early_data: false, address_validation: always", "")).listeners().get(0).http3()).isEqualTo(d);

        assertThat(errors(yaml.replace("enabled: false", "enabled: true").replace("address_validation: always",
                "address_validation: sometimes, max_packet_length: 100").replace("enable_early_data: false",
                "enable_early_data: true")))
                .containsExactly(
                        "test.yaml:5:112: listeners[0].http3.enable_early_data: 0-RTT is not supported (early data stays"
                                + " off: every request waits for the handshake, so none can be replayed)",
                        "test.yaml:5:138: listeners[0].http3.address_validation: 'sometimes' (expected: one of under_load,"
                                + " always, never)",
                        "test.yaml:5:168: listeners[0].http3.max_packet_length: '100' (expected: between 1200 and 65527"
                                + " bytes)",
                        "test.yaml:9:12: listeners[1].http3: http3 needs a tls listener (QUIC always runs TLS 1.3, RFC 9001)");
    }

    @Test
    void aTagTheYamlLibraryRefusesUnmarkedIsALocatedError() {
        // found by ConfigLoaderFuzzTest: snakeyaml-engine threw IllegalArgumentException for the tag "!8%4"
        assertThat(errors("!8%4")).containsExactly(
                "test.yaml:1:1: invalid YAML: Tag must not contain leading or trailing spaces.");
    }

    @Test
    void aCharacterOutsideTheBasicPlaneAtTheParsersBufferBoundaryLoads() throws Exception {
        // found by ConfigLoaderFuzzTest: snakeyaml-engine 3.0.1 threw IndexOutOfBoundsException when a surrogate
        // pair (an emoji in a comment) straddled its 1,024-character read buffer; fixed by 3.2
        for (int pad = 1018; pad <= 1026; pad++) {
            String yaml = "#" + "x".repeat(pad) + "\uD83D\uDE00\n" + VALID;
            assertThat(load(yaml).listeners()).hasSize(1);
        }
    }

    @Test
    void loadBalancingPoliciesAndTheirSettings() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: a } } ] } ]
                clusters:
                  - { name: a, endpoints: [ 127.0.0.1:1 ], lb_policy: least_request, least_request_lb_config: { choice_count: 3, active_request_bias: 0.5 } }
                  - { name: b, endpoints: [ 127.0.0.1:2 ], lb_policy: random }
                  - { name: c, endpoints: [ 127.0.0.1:3 ], lb_policy: maglev, hash_balance_factor: 125 }
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.clusters()).extracting(ClusterConfig::lbPolicy).containsExactly(ClusterConfig.LbPolicy.LEAST_REQUEST,
                ClusterConfig.LbPolicy.RANDOM, ClusterConfig.LbPolicy.MAGLEV);
        assertThat(c.clusters().get(0).loadBalancing()).isEqualTo(new LoadBalancingConfig(0, 3, 0.5));
        assertThat(c.clusters().get(1).loadBalancing()).isEqualTo(LoadBalancingConfig.DEFAULT);
        assertThat(c.clusters().get(2).loadBalancing()).isEqualTo(new LoadBalancingConfig(125, 2, 1.0));

        assertThat(errors(yaml.replace("lb_policy: random", "lb_policy: random, hash_balance_factor: 150")
                .replace("hash_balance_factor: 125 }", "hash_balance_factor: 90 }").replace("choice_count: 3", "choice_count: 1")))
                .containsExactly(
                        "test.yaml:6:111: clusters[0].least_request_lb_config.choice_count: '1' (expected: an integer "
                                + "between 2 and 100)",
                        "test.yaml:7:84: clusters[1].hash_balance_factor: hash_balance_factor needs lb_policy ring_hash "
                                + "or maglev",
                        "test.yaml:8:84: clusters[2].hash_balance_factor: '90' (expected: an integer between 100 and 100000)");
    }

    @Test
    void slowStartInEnvoysTwoPlacesWithItsWrappedNumbers() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: a } } ] } ]
                clusters:
                  - name: a
                    endpoints: [ 127.0.0.1:1 ]
                    round_robin_lb_config: { slow_start_config: { slow_start_window: 30s } }
                  - name: b
                    endpoints: [ 127.0.0.1:2 ]
                    lb_policy: least_request
                    least_request_lb_config:
                      slow_start_config: { slow_start_window: 1m, aggression: { default_value: 2.5 }, min_weight_percent: { value: 25 } }
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.clusters().get(0).loadBalancing().slowStart())
                .isEqualTo(new SlowStartConfig(Duration.ofSeconds(30), 1.0, 10));
        assertThat(c.clusters().get(1).loadBalancing().slowStart())
                .isEqualTo(new SlowStartConfig(Duration.ofMinutes(1), 2.5, 25));
        assertThat(errors(yaml.replace("slow_start_window: 30s", "aggression: 0")
                .replace("name: b\n    endpoints: [ 127.0.0.1:2 ]\n    lb_policy: least_request", "name: b\n    endpoints: [ 127.0.0.1:2 ]")))
                .containsExactly(
                        "test.yaml:8:49: clusters[0].round_robin_lb_config.slow_start_config: missing required key "
                                + "'slow_start_window'",
                        "test.yaml:8:63: clusters[0].round_robin_lb_config.slow_start_config.aggression: '0' (expected: a "
                                + "number between 0.01 and 100.0)",
                        "test.yaml:12:7: clusters[1].least_request_lb_config: least_request_lb_config needs lb_policy "
                                + "least_request");
    }

    @Test
    void prioritiesAndAggregateClusters() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: data } } ] } ]
                clusters:
                  - name: primary
                    overprovisioning_factor: 120
                    endpoints: [ 127.0.0.1:1, { address: 127.0.0.1:2, priority: 1 } ]
                  - { name: secondary, endpoints: [ 127.0.0.1:3 ] }
                  - { name: data, type: aggregate, clusters: [ primary, secondary ] }
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.clusters().get(0).endpoints()).extracting(EndpointConfig::priority).containsExactly(0, 1);
        assertThat(c.clusters().get(0).loadBalancing().overprovisioningFactor()).isEqualTo(120);
        assertThat(c.clusters().get(2).isAggregate()).isTrue();
        assertThat(c.clusters().get(2).aggregateClusters()).containsExactly("primary", "secondary");
        assertThat(errors(yaml.replace("clusters: [ primary, secondary ]", "clusters: [ primary, nope, data ], lb_policy: maglev")
                .replace("priority: 1", "priority: 200")))
                .containsExactly(
                        "test.yaml:8:65: clusters[0].endpoints[1].priority: '200' (expected: an integer between 0 and 127)",
                        "test.yaml:10:5: clusters[2]: 'nope' is not a cluster",
                        "test.yaml:10:5: clusters[2]: 'data' is an aggregate cluster (nesting is not supported)",
                        "test.yaml:10:82: clusters[2].lb_policy: lb_policy is not for an aggregate cluster (its clusters "
                                + "have their own)");
    }

    @Test
    void http2ProtocolOptionsWithDefaultsAndErrors() throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:8080
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: g } } ] } ]
                clusters:
                  - name: g
                    endpoints: [ 127.0.0.1:9090 ]
                    http2_protocol_options: { max_concurrent_streams: 50, initial_stream_window_size: 128KiB,
                                              connection_keepalive: { interval: 30s } }
                  - name: h
                    endpoints: [ 127.0.0.1:9091 ]
                    protocol_selection: use_downstream_protocol
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.clusters().get(0).http2ProtocolOptions()).isEqualTo(new Http2ProtocolOptions(50, 128 * 1024,
                1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(5)));
        assertThat(c.clusters().get(0).protocolSelection()).isEqualTo(ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL);
        assertThat(c.clusters().get(1).http2ProtocolOptions()).isNull();
        assertThat(c.clusters().get(1).protocolSelection()).isEqualTo(ClusterConfig.ProtocolSelection.USE_DOWNSTREAM_PROTOCOL);

        assertThat(errors(yaml.replace("128KiB", "1KiB").replace("use_downstream_protocol", "downstream")))
                .containsExactly(
                        "test.yaml:8:87: clusters[0].http2_protocol_options.initial_stream_window_size: '1KiB' "
                                + "(expected: between 65535 and 2147483647 bytes)",
                        "test.yaml:12:25: clusters[1].protocol_selection: 'downstream' (expected: one of "
                                + "use_configured_protocol, use_downstream_protocol)");
    }

    @Test
    void loadsTheContractShapeWithValuesAndDefaults() throws Exception {
        OutriggerConfig c = load(VALID);
        assertThat(c.admin().address()).isEqualTo(new HostAndPort("127.0.0.1", 9901));
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.httpFilters()).extracting(HttpFilterConfig::name).containsExactly("headers");
        assertThat(l.virtualHosts().get(0).domains()).containsExactly("catalog", "catalog:*");
        RouteConfig canary = l.virtualHosts().get(0).routes().get(0);
        assertThat(canary.match().headers()).containsExactly(
                new HeaderMatcher("x-canary", HeaderMatcher.Kind.EXACT, "1", null, false));
        assertThat(((RouteAction) canary.action()).timeout()).isEqualTo(Duration.ofSeconds(15)); // Envoy's default
        RouteAction main = (RouteAction) l.virtualHosts().get(0).routes().get(1).action();
        assertThat(main.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(main.prefixRewrite()).isEqualTo("/v2/");
        assertThat(main.hashPolicy()).containsExactly(new HashPolicy.Header("x-user-id", false),
                new HashPolicy.Cookie("sid", Duration.ofHours(1), null, null, false, false));
        ClusterConfig catalog = c.cluster("catalog").orElseThrow();
        assertThat(catalog.lbPolicy()).isEqualTo(ClusterConfig.LbPolicy.RING_HASH);
        assertThat(catalog.ringHash()).isEqualTo(new RingHashConfig(2048, 1 << 20, 100));
        assertThat(catalog.endpoints()).extracting(EndpointConfig::weight).containsExactly(1, 3);
        assertThat(catalog.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(catalog.connectionPool()).isEqualTo(new ConnectionPoolConfig(64, 10, Duration.ofSeconds(2), 100));
        ClusterConfig canaryCluster = c.cluster("catalog_canary").orElseThrow();
        assertThat(canaryCluster.lbPolicy()).isEqualTo(ClusterConfig.LbPolicy.ROUND_ROBIN);
        assertThat(canaryCluster.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(canaryCluster.connectionPool()).isEqualTo(ConnectionPoolConfig.DEFAULT);
        assertThat(canaryCluster.connectionPool().idleTimeout()).isNull(); // not set: each protocol's default
        assertThat(canaryCluster.connectionPool().http1IdleTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(canaryCluster.connectionPool().http2IdleTimeout()).isEqualTo(Duration.ofHours(1));
        // set: for both protocols
        assertThat(catalog.connectionPool().http1IdleTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(catalog.connectionPool().http2IdleTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void wrongEnumValueNamesFileLineColumnAndPath() {
        String yaml = VALID.replace("lb_policy: ring_hash", "lb_policy: ringhash");
        assertThat(errors(yaml)).containsExactly(
                "test.yaml:20:16: clusters[0].lb_policy: 'ringhash' (expected: one of round_robin, least_request, random, ring_hash, maglev)");
    }

    @Test
    void reportsEveryErrorAtOnce() {
        String yaml = """
                listeners:
                  - name: a
                    address: 127.0.0.1:99999
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                          - match: { prefix: / }
                            route: { cluster: nope, timeout: fast }
                    lisener_typo: 1
                clusters:
                  - name: c
                    endpoints: [ 10.0.0.1:80 ]
                    connect_timout: 1s
                """;
        assertThat(errors(yaml)).containsExactly(
                "test.yaml:3:14: listeners[0].address: '127.0.0.1:99999' (expected: host:port, e.g. 127.0.0.1:10000 or [::1]:10000)",
                "test.yaml:9:31: listeners[0].virtual_hosts[0].routes[0].route.cluster: 'nope' (expected: the name of a cluster; known: c)",
                "test.yaml:9:46: listeners[0].virtual_hosts[0].routes[0].route.timeout: 'fast' (expected: a duration such as 250ms, 5s, 1m or 1h)",
                "test.yaml:10:5: listeners[0].lisener_typo: unknown key 'lisener_typo'",
                "test.yaml:14:5: clusters[0].connect_timout: unknown key 'connect_timout' (did you mean 'connect_timeout'?)");
    }

    @Test
    void duplicateKeysNamesAndAddressesAreErrors() {
        String yaml = """
                listeners:
                  - name: a
                    address: 127.0.0.1:10000
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [] } ]
                  - name: a
                    address: 127.0.0.1:10000
                    address: 127.0.0.1:10001
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [] } ]
                clusters:
                  - { name: c, endpoints: [ 10.0.0.1:80 ] }
                  - { name: c, endpoints: [ 10.0.0.2:80 ] }
                """;
        assertThat(errors(yaml)).containsExactly(
                "test.yaml:5:5: listeners[1]: duplicate listener name 'a' (first defined at line 2)",
                "test.yaml:5:5: listeners[1]: duplicate listener address 127.0.0.1:10000 (first used at line 2)",
                "test.yaml:7:5: listeners[1].address: duplicate key 'address' (first defined at line 6)",
                "test.yaml:11:5: clusters[1]: duplicate cluster name 'c' (first defined at line 10)");
    }

    @Test
    void missingRequiredKeysAndWrongTypes() {
        String yaml = """
                listeners:
                  - address: 127.0.0.1:10000
                    virtual_hosts: "not a list"
                clusters:
                  - name: c
                    endpoints: [ 10.0.0.1:80 ]
                    connection_pool: { max_connections: lots }
                """;
        assertThat(errors(yaml)).containsExactly(
                "test.yaml:2:5: listeners[0]: missing required key 'name'",
                "test.yaml:3:20: listeners[0].virtual_hosts: expected a list, got 'not a list'",
                "test.yaml:7:41: clusters[0].connection_pool.max_connections: 'lots' (expected: an integer)");
    }

    @Test
    void substitutesEnvironmentVariablesWithDefaults() throws Exception {
        String yaml = """
                listeners:
                  - name: a
                    address: ${HOST}:${PORT}
                    virtual_hosts: [ { name: v, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]
                clusters:
                  - { name: c, endpoints: [ "${UPSTREAM:-10.0.0.1:80}" ] }
                """;
        OutriggerConfig c = load(yaml);
        assertThat(c.listeners().get(0).address()).isEqualTo(new HostAndPort("10.1.2.3", 8080));
        assertThat(c.clusters().get(0).endpoints().get(0).address()).isEqualTo(new HostAndPort("10.0.0.1", 80));
        assertThat(errors(yaml.replace("${PORT}", "${NOPE}"))).containsExactly(
                "test.yaml:3:14: listeners[0].address: environment variable 'NOPE' is not set and has no default (write ${NOPE:-default})");
    }

    @Test
    void yamlSyntaxErrorIsLocated() {
        assertThat(errors("listeners:\n  - name: [unclosed\n")).singleElement().asString()
                .startsWith("test.yaml:3:1: invalid YAML:");
    }

    @Test
    void routeMatchNeedsExactlyOnePathConditionAndValidRegex() {
        String yaml = """
                listeners:
                  - name: a
                    address: 127.0.0.1:10000
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                          - match: { prefix: /, path: /x }
                            route: { cluster: c }
                          - match: { safe_regex: { regex: "(" } }
                            route: { cluster: c }
                          - match: { path: nope }
                            route: { cluster: c }
                clusters:
                  - { name: c, endpoints: [ 10.0.0.1:80 ] }
                """;
        List<String> e = errors(yaml);
        assertThat(e).hasSize(3);
        assertThat(e.get(0)).isEqualTo("test.yaml:8:20: listeners[0].virtual_hosts[0].routes[0].match: "
                + "more than one path condition (expected: one of prefix, path, safe_regex, connect_matcher)");
        assertThat(e.get(1)).startsWith("test.yaml:10:43: listeners[0].virtual_hosts[0].routes[1].match.safe_regex.regex: '(' (expected: an RE2");
        assertThat(e.get(2)).isEqualTo("test.yaml:12:28: listeners[0].virtual_hosts[0].routes[2].match.path: "
                + "'nope' (expected: a path starting with '/')");
    }

    @Test
    void resilienceSectionsWithDefaultsAndErrors() throws Exception {
        String yaml = """
                listeners:
                  - name: a
                    address: 127.0.0.1:10000
                    virtual_hosts:
                      - name: v
                        domains: ["*"]
                        routes:
                          - match: { prefix: / }
                            route:
                              cluster: c
                              retry_policy: { retry_on: "5xx,reset", num_retries: 2, per_try_timeout: 1s,
                                              retry_back_off: { base_interval: 10ms } }
                clusters:
                  - name: c
                    endpoints: [ 10.0.0.1:80 ]
                    health_check: { path: /healthz, interval: 2s }
                    outlier_detection: { consecutive_5xx: 3 }
                    circuit_breakers: { max_requests: 50, retry_budget: { budget_percent: 10 } }
                """;
        OutriggerConfig c = load(yaml);
        RetryPolicy p = c.listeners().get(0).virtualHosts().get(0).routes().get(0).action() instanceof RouteAction ra ? ra.retryPolicy() : null;
        assertThat(p.retryOn()).containsExactlyInAnyOrder("5xx", "reset");
        assertThat(p.numRetries()).isEqualTo(2);
        assertThat(p.perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.maxInterval()).isEqualTo(Duration.ofMillis(100)); // 10 x base
        assertThat(p.previousHosts()).isTrue();
        assertThat(p.bufferLimitBytes()).isEqualTo(65536);
        ClusterConfig cl = c.clusters().get(0);
        assertThat(cl.healthCheck()).isEqualTo(new HealthCheckConfig("/healthz", "c", Duration.ofSeconds(2),
                Duration.ofMillis(200), Duration.ofSeconds(1), 3, 2, java.util.Set.of(200)));
        assertThat(cl.outlierDetection()).isEqualTo(new OutlierDetectionConfig(3, 5, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(300), 10));
        assertThat(cl.circuitBreakers()).isEqualTo(new CircuitBreakersConfig(1024, 1024, 50, 3, 10, 3, true));
        assertThat(c.clusters().get(0).circuitBreakers()).isNotNull();

        assertThat(errors(yaml.replace("\"5xx,reset\"", "[5xx, resets]").replace("path: /healthz", "path: healthz")))
                .containsExactly(
                        "test.yaml:11:47: listeners[0].virtual_hosts[0].routes[0].route.retry_policy.retry_on[1]: 'resets' "
                                + "(expected: one of 5xx, cancelled, connect-failure, deadline-exceeded, gateway-error, internal, "
                                + "refused-stream, reset, reset-before-request, resource-exhausted, retriable-4xx, "
                                + "retriable-status-codes, unavailable)",
                        "test.yaml:16:27: clusters[0].health_check.path: 'healthz' (expected: a path starting with '/')");
    }

    @Test
    void unitsParse() {
        assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Units.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Units.parseDuration("5")).isNull();
        assertThat(Units.parseSize("64KiB")).isEqualTo(65536);
        assertThat(Units.parseSize("1MiB")).isEqualTo(1 << 20);
        assertThat(Units.parseSize("10KB")).isEqualTo(10_000);
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThat(Units.parseSize("99999999999GiB")).isEqualTo(-1);
    }

    @Test
    void unreadableFileIsOneLocatedError() {
        assertThatThrownBy(() -> new ConfigLoader().load(java.nio.file.Path.of("/nonexistent/outrigger.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/nonexistent/outrigger.yaml:1:1: cannot read file");
    }

    @Test
    void tracingAndTrustedHops() throws ConfigException {
        OutriggerConfig none = load(VALID);
        assertThat(none.tracing()).isNull();
        assertThat(none.listeners().get(0).internalAddressConfig()).isEqualTo(InternalAddressConfig.DEFAULT);

        OutriggerConfig c = load(VALID.replace("admin: { address: 127.0.0.1:9901 }", """
                admin: { address: 127.0.0.1:9901 }
                tracing:
                  sampling: 0.01
                  propagation: [ w3c, b3multi ]
                  exporter: { otlp: { endpoint: "http://collector:4318/v1/traces", headers: { api-key: s3cret } } }
                  schedule_delay: 200ms
                """).replace("address: 127.0.0.1:15001", """
                address: 127.0.0.1:15001
                    internal_address_config: { cidr_ranges: [ 10.0.0.0/8, "fd00::/8", 192.168.1.7 ] }
                    preserve_external_request_id: true"""));
        TracingConfig t = c.tracing();
        assertThat(t.sampling()).isEqualTo(0.01);
        assertThat(t.propagation()).containsExactly(TracingConfig.Propagation.W3C, TracingConfig.Propagation.B3_MULTI);
        assertThat(t.exporter()).isEqualTo(new TracingConfig.Otlp("http://collector:4318/v1/traces", Map.of("api-key", "s3cret")));
        assertThat(t.scheduleDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(t.maxQueueSize()).isEqualTo(2048);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.internalAddressConfig().cidrRanges()).containsExactly(new CidrRange("10.0.0.0", 8), new CidrRange("fd00::", 8),
                new CidrRange("192.168.1.7", 32));
        assertThat(l.preserveExternalRequestId()).isTrue();

        assertThat(load(VALID + "tracing: {}\n").tracing().exporter()).isEqualTo(TracingConfig.Log.STDOUT);
    }

    @Test
    void tracingErrorsAreLocated() throws Exception {
        String yaml = VALID + """
                tracing:
                  sampling: 10%
                  propagation: jaeger
                  exporter: { zipkin: { endpoint: "localhost:9411" }, log: {} }
                  max_queue_size: 10
                  max_export_batch_size: 20
                """;
        assertThat(errors(yaml)).containsExactly(
                "test.yaml:28:13: tracing.sampling: '10%' (expected: a fraction between 0 and 1, e.g. 0.01 for 1%)",
                "test.yaml:29:16: tracing.propagation: 'jaeger' (expected: one of w3c, b3, b3multi)",
                "test.yaml:30:13: tracing.exporter: several exporters [zipkin, log] (expected: exactly one of zipkin, otlp, log)",
                "test.yaml:30:35: tracing.exporter.zipkin.endpoint: 'localhost:9411' (expected: an http:// or https:// URL)",
                "test.yaml:32:26: tracing.max_export_batch_size: '20' (expected: at most max_queue_size, 10)");
        java.nio.file.Path aFile = java.nio.file.Files.createTempFile("not-a-folder", ".txt");
        assertThat(errors(VALID + "tracing: { exporter: { log: { path: " + aFile + "/spans.jsonl } } }\n")).containsExactly(
                "test.yaml:27:37: tracing.exporter.log.path: '" + aFile + "/spans.jsonl' (cannot create it: " + aFile
                        + " is not a writable folder)");
        assertThat(errors(VALID.replace("address: 127.0.0.1:15001", """
                address: 127.0.0.1:15001
                    internal_address_config: { cidr_ranges: [ 10.0.0.0/33, internal.example ] }""")))
                .containsExactly(
                        "test.yaml:5:47: listeners[0].internal_address_config.cidr_ranges[0]: '10.0.0.0/33' (expected: an IP range such as 10.0.0.0/8 or fd00::/8)",
                        "test.yaml:5:60: listeners[0].internal_address_config.cidr_ranges[1]: 'internal.example' (expected: an IP range such as 10.0.0.0/8 or fd00::/8)");
    }
}
