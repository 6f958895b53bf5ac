package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * xDS against a real control plane: the Envoy project's java-control-plane (its snapshot cache and ADS server, in this
 * JVM) drives the jar as a process over gRPC. Traffic follows a pushed listener + RDS route + EDS cluster; EDS moves
 * hosts under load without a failed request; an unsupported field is NACKed with an error detail naming it while the
 * old version keeps serving; the control plane goes away and comes back and the client resubscribes; the requests'
 * version/nonce sequence follows the xDS protocol.
 */
class XdsIT {
    private static final String NODE = "sidecar-1";

    /** The control plane: java-control-plane's cache and server, every request it got recorded. */
    static final class ControlPlane implements AutoCloseable {
        final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
        final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
        /** Each response sent: stream id and nonce → its version (nonces count per stream). */
        final Map<String, String> responses = new ConcurrentHashMap<>();
        /** Each request with its stream id (as "server start/stream": ids restart with the server). */
        final List<Map.Entry<String, DiscoveryRequest>> streamRequests = new CopyOnWriteArrayList<>();
        private final AtomicInteger starts = new AtomicInteger();
        final List<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
        final AtomicInteger streams = new AtomicInteger();
        final int port;
        private final java.nio.file.Path tlsDir;
        private Server server;

        ControlPlane(int port) throws Exception {
            this(port, null);
        }

        /** @param tlsDir with {@code control.crt} and {@code control.key}: the control plane serves TLS; {@code null}: h2c */
        ControlPlane(int port, java.nio.file.Path tlsDir) throws Exception {
            this.port = port;
            this.tlsDir = tlsDir;
            start();
        }

        void start() throws Exception {
            int start = starts.incrementAndGet();
            DiscoveryServerCallbacks callbacks = new DiscoveryServerCallbacks() {
                @Override
                public void onStreamOpen(long streamId, String typeUrl) {
                    streams.incrementAndGet();
                }

                @Override
                public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                    requests.add(request);
                    streamRequests.add(Map.entry(start + "/" + streamId, request));
                }

                @Override
                public void onV3StreamResponse(long streamId, DiscoveryRequest request,
                        io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse response) {
                    responses.put(start + "/" + streamId + "/" + response.getNonce(), response.getVersionInfo());
                }

                @Override
                public void onV3StreamDeltaRequest(long streamId,
                        io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest request) {
                    deltaRequests.add(request);
                }
            };
            V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache);
            NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .addService(discovery.getAggregatedDiscoveryServiceImpl());
            if (tlsDir != null) {
                b.sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forServer(
                        tlsDir.resolve("control.crt").toFile(), tlsDir.resolve("control.key").toFile()).build());
            }
            server = b.build().start();
        }

        void stop() throws InterruptedException {
            server.shutdownNow().awaitTermination();
        }

        void push(String version, List<String> hosts, Cluster.LbPolicy lb, int listenerPort) {
            push(version, hosts, lb, listenerPort, false);
        }

        /** @param unsupported give the cluster a field Outrigger does not take (per_connection_buffer_limit_bytes) */
        void push(String version, List<String> hosts, Cluster.LbPolicy lb, int listenerPort, boolean unsupported) {
            push(version, hosts, lb, listenerPort, unsupported, null, null);
        }

        /**
         * @param chainPem with {@code keyPem}: the listener serves TLS with the SDS secret {@code server-cert} holding
         *                 them; {@code null}: cleartext
         */
        void push(String version, List<String> hosts, Cluster.LbPolicy lb, int listenerPort, boolean unsupported,
                  String chainPem, String keyPem) {
            ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName("shop");
            LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
            for (String h : hosts) {
                int colon = h.lastIndexOf(':');
                locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
                        socket(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1))))));
            }
            cla.addEndpoints(locality);
            Cluster cluster = Cluster.newBuilder().setName("shop").setType(Cluster.DiscoveryType.EDS)
                    .setConnectTimeout(Durations.fromSeconds(2)).setLbPolicy(lb)
                    .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads())).build();
            if (unsupported) {
                cluster = cluster.toBuilder().setPerConnectionBufferLimitBytes(com.google.protobuf.UInt32Value.of(1024)).build();
            }
            RouteConfiguration routes = RouteConfiguration.newBuilder().setName("routes")
                    .addVirtualHosts(VirtualHost.newBuilder().setName("all").addDomains("*")
                            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                    .setRoute(RouteAction.newBuilder().setCluster("shop")))).build();
            HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("ingress")
                    .setRds(Rds.newBuilder().setRouteConfigName("routes").setConfigSource(ads()))
                    .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
                            .setTypedConfig(Any.pack(Router.getDefaultInstance()))).build();
            FilterChain.Builder chain = FilterChain.newBuilder().addFilters(Filter.newBuilder()
                    .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm)));
            List<Secret> secrets = new ArrayList<>();
            if (chainPem != null) {
                chain.setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                        .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(
                                CommonTlsContext.newBuilder().addTlsCertificateSdsSecretConfigs(
                                        SdsSecretConfig.newBuilder().setName("server-cert").setSdsConfig(ads()))).build())));
                secrets.add(Secret.newBuilder().setName("server-cert").setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString(chainPem))
                        .setPrivateKey(DataSource.newBuilder().setInlineString(keyPem))).build());
            }
            Listener listener = Listener.newBuilder().setName("ingress").setAddress(socket("127.0.0.1", listenerPort))
                    .addFilterChains(chain).build();
            // the same hosts also for "legacy", a cluster of the proxy's file with type eds
            ClusterLoadAssignment legacy = cla.build().toBuilder().setClusterName("legacy").build();
            cache.setSnapshot(NODE, Snapshot.create(List.of(cluster), List.of(cla.build(), legacy), List.of(listener),
                    List.of(routes), secrets, version));
        }

        private static ConfigSource ads() {
            return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
        }

        private static Address socket(String ip, int port) {
            return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
        }

        /** The requests of one type, in order. */
        List<DiscoveryRequest> of(String typeSuffix) {
            return requests.stream().filter(r -> r.getTypeUrl().endsWith(typeSuffix)).toList();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static String origin(int port) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body().lines().findFirst().orElse("");
        } catch (Exception e) {
            return "error " + e;
        }
    }

    @Test
    void trafficFollowsTheControlPlane() throws Exception {
        int listenerPort = freePort();
        try (Origin a = new Origin("a"); Origin b = new Origin("b");
             ControlPlane cp = new ControlPlane(freePort())) {
            cp.push("1", List.of(a.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
            long pushed = System.nanoTime();
            try (ProxyProcess p = ProxyProcess.start("xds", """
                    admin: { address: 127.0.0.1:0 }
                    node: { id: %s, cluster: shop }
                    dynamic_resources:
                      ads_config: { api_type: GRPC, grpc_services: [ { envoy_grpc: { cluster_name: xds_cluster } } ] }
                      lds_config: { ads: {} }
                      cds_config: { ads: {} }
                    listeners:                 # a listener of the file, routing to a cluster the control plane sends
                      - name: static_in
                        address: 127.0.0.1:0
                        virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: shop } } ] } ]
                      - name: legacy_in                # a file cluster whose endpoints come over EDS
                        address: 127.0.0.1:0
                        virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: legacy } } ] } ]
                    clusters:
                      - { name: xds_cluster, endpoints: [ 127.0.0.1:%d ], http2_protocol_options: {} }
                      - { name: legacy, type: eds }
                    """.formatted(NODE, cp.port))) {
                // ready only once the first complete set (CDS, EDS, LDS, RDS) is applied
                assertThat(origin(listenerPort)).isEqualTo("200 origin: a");
                assertThat(origin(p.port("static_in"))).as("a file listener, a CDS cluster").isEqualTo("200 origin: a");
                assertThat(origin(p.port("legacy_in"))).as("a file cluster, EDS endpoints").isEqualTo("200 origin: a");
                System.out.printf("xds: start to traffic on the pushed listener %d ms%n", (System.nanoTime() - pushed) / 1_000_000);

                // EDS moves the cluster from a to b under load: no request fails
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                List<String> failures = new CopyOnWriteArrayList<>();
                Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
                Thread load = new Thread(() -> {
                    while (running.get()) {
                        String r = origin(listenerPort);
                        if (r.startsWith("200 ")) {
                            ok.incrementAndGet();
                            seen.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            failures.add(r);
                        }
                    }
                });
                load.start();
                cp.push("2", List.of(a.address(), b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
                long t2 = System.nanoTime();
                assertThat(Await.until(Duration.ofSeconds(10), () -> b.requests.get() > 0)).isTrue();
                System.out.printf("xds: EDS push to traffic on the new host %d ms%n", (System.nanoTime() - t2) / 1_000_000);
                cp.push("3", List.of(b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
                int aBefore = a.requests.get();
                // a is out of the set once ten polls in a row (200 ms) see no new request to it
                AtomicInteger lastSeen = new AtomicInteger(-1);
                AtomicInteger quietPolls = new AtomicInteger();
                assertThat(Await.until(Duration.ofSeconds(10), () -> {
                    int now = a.requests.get();
                    if (now != lastSeen.getAndSet(now)) {
                        quietPolls.set(0);
                        return false;
                    }
                    return quietPolls.incrementAndGet() >= 10;
                })).isTrue();
                int aAfter = a.requests.get();
                int bNow = b.requests.get();
                assertThat(Await.until(Duration.ofSeconds(5), () -> b.requests.get() > bNow + 20)).isTrue();
                assertThat(a.requests.get()).as("nothing goes to the removed host").isEqualTo(aAfter);
                assertThat(aAfter).isGreaterThanOrEqualTo(aBefore);

                // an unsupported field: NACKed with a detail naming the cluster and the field; b keeps answering
                cp.push("4", List.of(b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort, true);
                assertThat(Await.until(Duration.ofSeconds(10), () -> cp.of("Cluster").stream()
                        .anyMatch(DiscoveryRequest::hasErrorDetail))).isTrue();
                DiscoveryRequest nack = cp.of("Cluster").stream().filter(DiscoveryRequest::hasErrorDetail).findFirst().get();
                assertThat(nack.getErrorDetail().getMessage()).contains("cluster 'shop'", "per_connection_buffer_limit_bytes");
                assertThat(nack.getVersionInfo()).as("a NACK carries the version in force").isEqualTo("3");
                int bAfterNack = b.requests.get();
                assertThat(Await.until(Duration.ofSeconds(5), () -> b.requests.get() > bAfterNack + 10)).isTrue();
                String dump = p.adminGet("/config_dump").body();
                assertThat(dump).contains("\"xds\"", "{\"type\":\"CDS\",\"version_info\":\"3\"",
                        "\"static\":{\"listeners\":[\"legacy_in\",\"static_in\"],\"clusters\":[\"legacy\",\"xds_cluster\"]}");
                assertThat(dump).containsPattern("\\{\"name\":\"ingress\",\"version_info\":\"[34]\",\"source\":\"ads\"}");

                // the file changes (a listener added): it applies together with the control plane's resources
                String file = java.nio.file.Files.readString(p.config);
                java.nio.file.Files.writeString(p.config, file.replace("\nclusters:", "\n  - name: added_by_reload\n"
                        + "    address: 127.0.0.1:0\n"
                        + "    virtual_hosts: [ { name: all, domains: [\"*\"], routes: [ { match: { prefix: / }, "
                        + "route: { cluster: shop } } ] } ]\nclusters:"));
                HttpResponse<String> reload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + p.admin + "/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
                assertThat(origin(p.port("added_by_reload"))).isEqualTo("200 origin: b");
                assertThat(origin(listenerPort)).as("the control plane's listener stays").isEqualTo("200 origin: b");

                // the control plane goes away: traffic goes on; it comes back: the client resubscribes
                int streamsBefore = cp.streams.get();
                cp.stop();
                int bWhileDown = b.requests.get();
                assertThat(Await.until(Duration.ofSeconds(5), () -> b.requests.get() > bWhileDown + 20)).isTrue();
                cp.push("5", List.of(a.address(), b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
                cp.start();
                assertThat(Await.until(Duration.ofSeconds(20), () -> cp.streams.get() > streamsBefore)).isTrue();
                assertThat(Await.until(Duration.ofSeconds(10), () -> a.requests.get() > aAfter)).as("v5 after reconnect").isTrue();
                running.set(false);
                load.join();
                assertThat(failures).as("requests while hosts moved, a NACK and a control-plane outage").isEmpty();
                assertThat(ok.get()).isGreaterThan(100);
                System.out.printf("xds: %d requests under EDS moves, a NACK and a control-plane restart, 0 failed%n", ok.get());
                String prometheus = p.adminGet("/stats/prometheus").body();
                assertThat(prometheus).contains("outrigger_control_plane_connected_state 1");
                assertThat(prometheus).containsPattern("outrigger_xds_update_rejected_total [1-9]")
                        .containsPattern("outrigger_xds_streams_total [2-9]");

                // the protocol's sequence for CDS: the first request has the node and no version or nonce; an ACK
                // repeats the version and nonce it accepts; the NACK keeps the version in force
                List<DiscoveryRequest> cds = cp.of("Cluster");
                assertThat(cds.get(0).getNode().getId()).isEqualTo(NODE);
                assertThat(cds.get(0).getVersionInfo()).isEmpty();
                assertThat(cds.get(0).getResponseNonce()).isEmpty();
                assertThat(cds.stream().map(DiscoveryRequest::getVersionInfo).toList()).containsSubsequence("1", "2", "3", "3", "5");
                assertThat(cds.stream().allMatch(r -> r.getResourceNamesList().isEmpty())).as("CDS is a wildcard").isTrue();
                // every ACK names a nonce the control plane sent and repeats that response's version; every NACK names
                // one too and keeps the version in force
                int acks = 0;
                for (Map.Entry<String, DiscoveryRequest> e : cp.streamRequests) {
                    DiscoveryRequest r = e.getValue();
                    String key = e.getKey() + "/" + r.getResponseNonce();
                    if (!r.getResponseNonce().isEmpty()) {
                        assertThat(cp.responses).as("nonce of " + r.getTypeUrl()).containsKey(key);
                        if (!r.hasErrorDetail()) {
                            assertThat(r.getVersionInfo()).as("an ACK's version").isEqualTo(cp.responses.get(key));
                            acks++;
                        } else {
                            assertThat(r.getVersionInfo()).as("a NACK's version").isNotEqualTo(cp.responses.get(key));
                        }
                    }
                }
                assertThat(acks).isGreaterThan(10);
                List<DiscoveryRequest> eds = cp.of("ClusterLoadAssignment");
                assertThat(eds).isNotEmpty().allSatisfy(r -> assertThat(r.getResourceNamesList()).isSubsetOf("legacy", "shop"));
                assertThat(eds.get(eds.size() - 1).getResourceNamesList()).containsExactly("legacy", "shop");
                assertThat(cp.of("RouteConfiguration")).isNotEmpty()
                        .allSatisfy(r -> assertThat(r.getResourceNamesList()).containsExactly("routes"));
            }
        }
    }

    /** The certificate a TLS listener serves to a new connection (the JDK's client; any certificate is accepted). */
    static byte[] served(int port) throws Exception {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return s.getSession().getPeerCertificates()[0].getEncoded();
        }
    }

    static byte[] certificate(java.nio.file.Path pem) throws Exception {
        try (var in = java.nio.file.Files.newInputStream(pem)) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        }
    }

    @Test
    void sdsRotatesAListenerCertificateNewConnectionsSeeItOverATlsControlPlane() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(ProxyProcess.WORK.resolve("xds-sds-" + System.nanoTime()));
        TlsIT.outrigger("certs", "ca", "--dir", dir.toString());
        TlsIT.outrigger("certs", "issue", "--dir", dir.toString(), "--name", "first", "--dns", "localhost");
        TlsIT.outrigger("certs", "issue", "--dir", dir.toString(), "--name", "second", "--dns", "localhost");
        TlsIT.outrigger("certs", "issue", "--dir", dir.toString(), "--name", "control", "--dns", "xds.test");
        int listenerPort = freePort();
        // this control plane serves TLS: the ADS cluster's tls (CA, SNI) applies to the gRPC stream
        try (Origin a = new Origin("a"); ControlPlane cp = new ControlPlane(freePort(), dir)) {
            cp.push("1", List.of(a.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort, false,
                    java.nio.file.Files.readString(dir.resolve("first.crt")), java.nio.file.Files.readString(dir.resolve("first.key")));
            try (ProxyProcess p = ProxyProcess.start("xds-sds", """
                    admin: { address: 127.0.0.1:0 }
                    node: { id: %s }
                    dynamic_resources:
                      ads_config: { cluster: xds_cluster }
                      lds_config: { ads: {} }
                      cds_config: { ads: {} }
                    clusters:
                      - name: xds_cluster
                        endpoints: [ 127.0.0.1:%d ]
                        http2_protocol_options: {}
                        tls: { trusted_ca: %s/ca.crt, sni: xds.test }
                    """.formatted(NODE, cp.port, dir))) {
                assertThat(served(listenerPort)).isEqualTo(certificate(dir.resolve("first.crt")));
                Cmd ok = Cmd.curlRun("-s", "--cacert", dir.resolve("ca.crt").toString(), "https://localhost:" + listenerPort + "/x");
                assertThat(ok.out()).contains("origin: a");
                cp.push("2", List.of(a.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort, false,
                        java.nio.file.Files.readString(dir.resolve("second.crt")), java.nio.file.Files.readString(dir.resolve("second.key")));
                byte[] second = certificate(dir.resolve("second.crt"));
                assertThat(Await.until(Duration.ofSeconds(10), () -> java.util.Arrays.equals(served(listenerPort), second)))
                        .as("a new connection gets the rotated certificate").isTrue();
                assertThat(cp.of("Secret")).isNotEmpty().allSatisfy(r -> assertThat(r.getResourceNamesList())
                        .containsExactly("server-cert"));
                assertThat(p.adminGet("/config_dump").body()).contains("\"SDS\"", "server-cert")
                        .doesNotContain("PRIVATE KEY");
            }
        }
    }

    @Test
    void deltaXdsMovesHostsNacksAndResumesWithTheVersionsInForce() throws Exception {
        int listenerPort = freePort();
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); ControlPlane cp = new ControlPlane(freePort())) {
            cp.push("1", List.of(a.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
            try (ProxyProcess p = ProxyProcess.start("xds-delta", """
                    admin: { address: 127.0.0.1:0 }
                    node: { id: %s }
                    dynamic_resources:
                      ads_config: { cluster: xds_cluster, api_type: DELTA_GRPC }
                      lds_config: { ads: {} }
                      cds_config: { ads: {} }
                    clusters:
                      - { name: xds_cluster, endpoints: [ 127.0.0.1:%d ], http2_protocol_options: {} }
                    """.formatted(NODE, cp.port))) {
                assertThat(origin(listenerPort)).isEqualTo("200 origin: a");
                AtomicBoolean running = new AtomicBoolean(true);
                List<String> failures = new CopyOnWriteArrayList<>();
                Thread load = new Thread(() -> {
                    while (running.get()) {
                        String r = origin(listenerPort);
                        if (!r.startsWith("200 ")) {
                            failures.add(r);
                        }
                    }
                });
                load.start();
                cp.push("2", List.of(b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
                assertThat(Await.until(Duration.ofSeconds(10), () -> b.requests.get() > 20)).isTrue();
                int aAfter = a.requests.get();
                int bNow = b.requests.get();
                assertThat(Await.until(Duration.ofSeconds(5), () -> b.requests.get() > bNow + 20)).isTrue();
                assertThat(a.requests.get()).isEqualTo(aAfter);

                cp.push("3", List.of(b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort, true);
                assertThat(Await.until(Duration.ofSeconds(10), () -> cp.deltaRequests.stream()
                        .anyMatch(r -> r.hasErrorDetail()))).isTrue();
                assertThat(cp.deltaRequests.stream().filter(r -> r.hasErrorDetail()).findFirst().get()
                        .getErrorDetail().getMessage()).contains("cluster 'shop'", "per_connection_buffer_limit_bytes");

                int before = cp.deltaRequests.size();
                cp.stop();
                cp.push("4", List.of(b.address()), Cluster.LbPolicy.ROUND_ROBIN, listenerPort);
                cp.start();
                assertThat(Await.until(Duration.ofSeconds(20), () -> cp.deltaRequests.stream().skip(before)
                        .anyMatch(r -> r.getTypeUrl().endsWith("Cluster") && r.getInitialResourceVersionsMap().containsKey("shop"))))
                        .as("a new stream tells the versions in force").isTrue();
                running.set(false);
                load.join();
                assertThat(failures).isEmpty();
                assertThat(cp.deltaRequests.stream().filter(r -> r.getTypeUrl().endsWith("ClusterLoadAssignment"))
                        .flatMap(r -> r.getResourceNamesSubscribeList().stream()).toList()).contains("shop");
                assertThat(p.adminGet("/config_dump").body()).contains("\"xds\"", "\"initialized\":true");
            }
        }
    }
}
