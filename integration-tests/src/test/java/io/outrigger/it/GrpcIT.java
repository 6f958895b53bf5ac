package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC end to end with grpc-java on both sides: a grpc-java client calls Outrigger over h2c, Outrigger calls a
 * grpc-java origin over an HTTP/2 cluster ({@code http2_protocol_options}). Unary, all three streaming kinds
 * (streams measured message by message), error statuses with their message, 4 MiB messages, deadline
 * propagation and expiry, gRPC-shaped local replies, and HTTP/1.1 callers multiplexed onto few upstream
 * HTTP/2 connections.
 */
class GrpcIT {
    static GrpcOrigin origin;
    static ProxyProcess proxy;
    static ManagedChannel channel;
    static SimpleServiceGrpc.SimpleServiceBlockingStub blocking;
    static SimpleServiceGrpc.SimpleServiceStub async;

    @BeforeAll
    static void start() throws Exception {
        origin = new GrpcOrigin();
        proxy = ProxyProcess.start("grpc", ProxyProcess.mainListenerConfig("""
                - { match: { prefix: /grpc.testing.SimpleService/ }, route: { cluster: grpc } }
                - { match: { prefix: /dead/ }, route: { cluster: dead } }
                - { match: { prefix: /h1/ }, route: { cluster: grpc, prefix_rewrite: / } }
                """, """
                - { name: grpc, endpoints: [ %s ], http2_protocol_options: { max_concurrent_streams: 250 } }
                - { name: dead, endpoints: [ 127.0.0.1:1 ], http2_protocol_options: {} }
                """.formatted(origin.address())).replace("  - name: main\n    address: 127.0.0.1:0\n",
                "  - name: main\n    address: 127.0.0.1:0\n    access_log: [ { format: json } ]\n"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port("main")).usePlaintext()
                .maxInboundMessageSize(GrpcOrigin.MAX_MESSAGE).build();
        blocking = SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        async = SimpleServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        origin.close();
    }

    static SimpleRequest req(String m) {
        return SimpleRequest.newBuilder().setRequestMessage(m).build();
    }

    @Test
    void unaryRoundTripsIncludingFourMiBMessages() {
        assertThat(blocking.unaryRpc(req("hello")).getResponseMessage()).isEqualTo("hello");
        String big = "x".repeat(4 << 20);
        assertThat(blocking.unaryRpc(req(big)).getResponseMessage()).isEqualTo(big);
    }

    @Test
    void errorStatusAndMessageArriveIntact() throws Exception {
        assertThatThrownBy(() -> blocking.unaryRpc(req("fail:bad input: ünïcode % and more")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("bad input: ünïcode % and more");
                });
        // the access log carries the call's gRPC status (INVALID_ARGUMENT = 3)
        assertThat(proxy.awaitLog(l -> l.contains("\"grpc_status\":\"3\""))).isTrue();
        // ... and so do the metrics
        assertThat(proxy.adminGet("/stats/prometheus").body())
                .containsPattern("outrigger_downstream_rq_grpc_total\\{[^}]*grpc_status=\"3\"[^}]*} [1-9]");
    }

    @Test
    void serverStreamingDeliversEachMessageAsItIsSent() {
        long start = System.nanoTime();
        Iterator<SimpleResponse> it = blocking.serverStreamingRpc(req("5"));
        List<Long> arrivalsMs = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        while (it.hasNext()) {
            messages.add(it.next().getResponseMessage());
            arrivalsMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        assertThat(messages).containsExactly("message 0", "message 1", "message 2", "message 3", "message 4");
        // sent 200 ms apart: had the proxy buffered the stream, all five would arrive together after ~1 s
        assertThat(arrivalsMs.get(4) - arrivalsMs.get(0)).as("arrivals %s", arrivalsMs).isGreaterThanOrEqualTo(600);
    }

    @Test
    void clientStreamingAndBidiStreamMessageByMessage() throws Exception {
        CompletableFuture<String> joined = new CompletableFuture<>();
        StreamObserver<SimpleRequest> up = async.clientStreamingRpc(observer(joined, new LinkedBlockingQueue<>()));
        for (int i = 0; i < 10; i++) {
            up.onNext(req(Integer.toString(i)));
        }
        up.onCompleted();
        assertThat(joined.get(10, TimeUnit.SECONDS)).isEqualTo("0123456789");

        // bidi: each echo must come back before the next message is sent (nothing waits for the end of the stream)
        LinkedBlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        CompletableFuture<String> done = new CompletableFuture<>();
        StreamObserver<SimpleRequest> bidi = async.bidiStreamingRpc(observer(done, echoes));
        for (int i = 0; i < 20; i++) {
            bidi.onNext(req("ping " + i));
            assertThat(echoes.poll(5, TimeUnit.SECONDS)).isEqualTo("ping " + i);
        }
        bidi.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void deadlinePropagatesAndExpires() {
        long seen = Long.parseLong(SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                .unaryRpc(req("deadline")).getResponseMessage());
        assertThat(seen).as("the deadline the origin saw, ms").isBetween(1L, 3000L);

        long start = System.nanoTime();
        assertThatThrownBy(() -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .unaryRpc(req("late:3000")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500);
    }

    @Test
    void localRepliesAreGrpcResponses() {
        // no route: HTTP 404 becomes UNIMPLEMENTED, with the proxy's reason as the message
        StatusRuntimeException noRoute = call("unknown.Service/Method");
        assertThat(noRoute.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(noRoute.getStatus().getDescription()).contains("no route");
        // a cluster nobody listens for: 503 becomes UNAVAILABLE
        assertThat(call("dead/Method").getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    private static StatusRuntimeException call(String fullMethodName) {
        MethodDescriptor<SimpleRequest, SimpleResponse> m = SimpleServiceGrpc.getUnaryRpcMethod().toBuilder()
                .setFullMethodName(fullMethodName).build();
        try {
            ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), req("x"));
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError(fullMethodName + " succeeded");
    }

    @Test
    void twoHundredHttp11CallersShareFewUpstreamHttp2Connections() throws Exception {
        int before = origin.connections.get();
        Cmd r = Cmd.run(60, "h2load", "--h1", "-n", "4000", "-c", "200",
                "http://127.0.0.1:" + proxy.port("main") + "/h1/anything");
        assertThat(r.out()).as(r.out()).contains("4000 done");
        assertThat(origin.connections.get() - before).as("upstream HTTP/2 connections opened").isBetween(1, 3);
    }

    @Test
    void anOriginKilledMidStreamEndsTheCallWithUnavailable() throws Exception {
        try (GrpcOrigin victim = new GrpcOrigin();
             ProxyProcess p = ProxyProcess.start("grpc-kill", ProxyProcess.catchAllConfig("{ cluster: victim }",
                     "- { name: victim, endpoints: [ " + victim.address() + " ], http2_protocol_options: {} }"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                Iterator<SimpleResponse> it = SimpleServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .serverStreamingRpc(req("50"));
                assertThat(it.next().getResponseMessage()).isEqualTo("message 0");
                victim.kill();
                long start = System.nanoTime();
                assertThatThrownBy(() -> it.forEachRemaining(x -> { }))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not a hang").isLessThan(5000);
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anOriginThatSendsGoAwayMidLoadFailsNoCall() throws Exception {
        try (GrpcOrigin draining = new GrpcOrigin(1000);
             ProxyProcess p = ProxyProcess.start("grpc-goaway", ProxyProcess.catchAllConfig("{ cluster: draining }",
                     "- { name: draining, endpoints: [ " + draining.address() + " ], http2_protocol_options: {} }"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                SimpleServiceGrpc.SimpleServiceFutureStub stub = SimpleServiceGrpc.newFutureStub(ch);
                java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                List<Thread> callers = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Thread th = new Thread(() -> {
                        while (System.nanoTime() < end) {
                            try {
                                stub.withDeadlineAfter(10, TimeUnit.SECONDS).unaryRpc(req("x")).get();
                                ok.incrementAndGet();
                            } catch (Exception e) {
                                failed.incrementAndGet();
                            }
                        }
                    });
                    th.start();
                    callers.add(th);
                }
                for (Thread th : callers) {
                    th.join();
                }
                // one downstream connection, so one worker and one upstream connection at a time; the origin drains it
                // with GOAWAY once it is a second old (grpc-java's floor for max connection age), so the calls moved
                // to new connections at least twice
                assertThat(draining.connections.get()).as("connections the origin accepted").isGreaterThanOrEqualTo(3);
                assertThat(ok.get()).isGreaterThan(100);
                assertThat(failed.get()).as("failed calls of %d", ok.get() + failed.get()).isZero();
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void afterMaxRequestsPerConnectionGoawayMovesTheClientToANewConnectionWithoutFailingACall() throws Exception {
        String config = ProxyProcess.catchAllConfig("{ cluster: grpc }", "- { name: grpc, endpoints: [ "
                + origin.address() + " ], http2_protocol_options: {} }").replace(
                "  - name: main\n    address: 127.0.0.1:0\n",
                "  - name: main\n    address: 127.0.0.1:0\n    max_requests_per_connection: 3\n");
        try (ProxyProcess p = ProxyProcess.start("grpc-max-requests", config)) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                for (int i = 0; i < 7; i++) {
                    assertThat(SimpleServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .unaryRpc(req("call " + i)).getResponseMessage()).isEqualTo("call " + i);
                }
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // 7 calls, 3 per connection: two connections got GOAWAY after their third stream, a third served the last
            assertThat(p.stat("http.main.downstream_cx_max_requests_reached")).isEqualTo(2);
        }
    }

    @Test
    void anIdleUpstreamHttp2ConnectionStaysOpenPastHttp11sIdleTimeoutUnlessOneIsSet() throws Exception {
        // two HTTP/2 clusters to the same origin: "kept" with connection_pool's defaults (HTTP/2: 1 h), "brief" with
        // idle_timeout 5 s, which is longer than HTTP/1.1's default (4 s). When brief's idle connection has closed,
        // kept's, idle as long, is still open: the default that applies to it is not the 4 s of HTTP/1.1
        String clusters = "- { name: kept, endpoints: [ " + origin.address() + " ], http2_protocol_options: {} }\n"
                + "- { name: brief, endpoints: [ " + origin.address() + " ], http2_protocol_options: {},"
                + " connection_pool: { idle_timeout: 5s } }\n";
        String routes = "- { match: { prefix: /kept/ }, route: { cluster: kept } }\n"
                + "- { match: { prefix: /brief/ }, route: { cluster: brief } }\n";
        try (ProxyProcess p = ProxyProcess.start("grpc-idle", ProxyProcess.mainListenerConfig(routes, clusters))) {
            for (String prefix : List.of("/brief/", "/kept/")) { // any answer will do: the connection is what counts
                Cmd c = Cmd.curlRun("--http2-prior-knowledge", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://127.0.0.1:" + p.port("main") + prefix + "grpc.testing.SimpleService/UnaryRpc");
                assertThat(c.out()).isNotEqualTo("000");
            }
            assertThat(p.stat("cluster.brief.upstream_cx_active")).isEqualTo(1);
            assertThat(p.stat("cluster.kept.upstream_cx_active")).isEqualTo(1);
            assertThat(Await.until(java.time.Duration.ofSeconds(15),
                    () -> p.stat("cluster.brief.upstream_cx_active") == 0)).as("brief's connection closed").isTrue();
            assertThat(p.stat("cluster.kept.upstream_cx_active")).as("kept's connection").isEqualTo(1);
        }
    }

    @Test
    void useDownstreamProtocolPicksTheUpstreamProtocolPerCaller() throws Exception {
        try (ProxyProcess p = ProxyProcess.start("grpc-auto", ProxyProcess.catchAllConfig("{ cluster: auto }",
                "- { name: auto, endpoints: [ " + origin.address() + " ], protocol_selection: use_downstream_protocol }"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                // an HTTP/2 caller goes upstream in HTTP/2: the gRPC origin answers
                assertThat(SimpleServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .unaryRpc(req("h2 all the way")).getResponseMessage()).isEqualTo("h2 all the way");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // an HTTP/1.1 caller goes upstream in HTTP/1.1, which the HTTP/2-only gRPC origin cannot serve
            Cmd h1 = Cmd.curlRun("--http1.1", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:" + p.port("main") + "/grpc.testing.SimpleService/UnaryRpc");
            assertThat(h1.out()).startsWith("5");
        }
    }

    @Test
    void aPingKeepaliveClosesAnUpstreamConnectionThatStoppedAnswering() throws Exception {
        try (FreezableRelay relay = new FreezableRelay(origin.port());
             ProxyProcess p = ProxyProcess.start("grpc-keepalive", ProxyProcess.catchAllConfig("{ cluster: hung }",
                     "- { name: hung, endpoints: [ " + relay.address() + " ], http2_protocol_options: "
                             + "{ connection_keepalive: { interval: 300ms, timeout: 500ms } } }"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                assertThat(SimpleServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .unaryRpc(req("before")).getResponseMessage()).isEqualTo("before");
                relay.freeze(true); // the upstream path hangs: no byte moves, no connection closes
                long start = System.nanoTime();
                assertThat(Await.until(java.time.Duration.ofSeconds(5), () -> relay.closedByClient.get() > 0))
                        .as("the proxy closed the hung connection").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
                relay.freeze(false);
                // a new connection serves the next call
                assertThat(SimpleServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .unaryRpc(req("after")).getResponseMessage()).isEqualTo("after");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void tlsUpstreamsNegotiateTheProtocolByAlpn() throws Exception {
        java.nio.file.Path certs = java.nio.file.Files.createDirectories(ProxyProcess.WORK.resolve("grpc-certs-" + System.nanoTime()));
        assertThat(CliIT.outrigger("certs", "ca", "--dir", certs.toString()).exit()).isZero();
        assertThat(CliIT.outrigger("certs", "issue", "--dir", certs.toString(), "--dns", "localhost").exit()).isZero();
        String ca = certs.resolve("ca.crt").toString();
        // both clusters offer [h2, http/1.1]: the gRPC origin picks h2, the JDK's HTTPS server answers without ALPN
        // (HTTP/1.1); a third cluster insists on h2 by http2_protocol_options alone
        try (GrpcOrigin secure = GrpcOrigin.tls(certs.resolve("localhost.crt"), certs.resolve("localhost.key"));
             HttpsOrigin https = new HttpsOrigin(certs.resolve("localhost.crt"), certs.resolve("localhost.key"));
             ProxyProcess p = ProxyProcess.start("grpc-tls", ProxyProcess.mainListenerConfig("""
                     - { match: { prefix: /grpc.testing.SimpleService/ }, route: { cluster: secure_grpc } }
                     - { match: { prefix: /h2only/ }, route: { cluster: h2_only, prefix_rewrite: / } }
                     - { match: { prefix: / }, route: { cluster: secure_http } }
                     """, """
                     - { name: secure_grpc, endpoints: [ localhost:%d ], tls: { trusted_ca: %s, alpn_protocols: [h2, http/1.1] } }
                     - { name: secure_http, endpoints: [ localhost:%d ], tls: { trusted_ca: %s, alpn_protocols: [h2, http/1.1] } }
                     - { name: h2_only, endpoints: [ localhost:%d ], tls: { trusted_ca: %s }, http2_protocol_options: {} }
                     """.formatted(secure.port(), ca, https.port(), ca, https.port(), ca)))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port("main")).usePlaintext().build();
            try {
                SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(20, TimeUnit.SECONDS);
                assertThat(stub.unaryRpc(req("over tls")).getResponseMessage()).isEqualTo("over tls");
                List<String> got = new ArrayList<>();
                stub.serverStreamingRpc(req("3")).forEachRemaining(r -> got.add(r.getResponseMessage()));
                assertThat(got).containsExactly("message 0", "message 1", "message 2");
                assertThat(secure.connections.get()).isEqualTo(1); // both calls multiplexed on one h2 TLS connection
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            String url = "http://127.0.0.1:" + p.port("main") + "/";
            for (int i = 0; i < 3; i++) {
                Cmd r = Cmd.curlRun("--http1.1", "-s", url);
                assertThat(r.out()).as(r.err()).isEqualTo("secure origin\n");
            }
            // an HTTP/1.1-only host cannot serve a cluster that insists on h2: 503 UF, at once
            Cmd refused = Cmd.curlRun("--http1.1", "-s", "-o", "/dev/null", "-w", "%{http_code}", url + "h2only/");
            assertThat(refused.out()).isEqualTo("503");
        }
    }

    private static StreamObserver<SimpleResponse> observer(CompletableFuture<String> done, LinkedBlockingQueue<String> each) {
        return new StreamObserver<>() {
            String last;

            @Override
            public void onNext(SimpleResponse r) {
                last = r.getResponseMessage();
                each.add(last);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        };
    }
}
