package io.outrigger.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.outrigger.Version;
import io.outrigger.config.DynamicResourcesConfig;
import io.outrigger.server.DynamicConfigSource;
import io.outrigger.server.OutriggerServer;
import io.outrigger.server.ReloadResult;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's aggregated discovery (ADS, state of the world) over gRPC: one bidirectional stream to the control plane
 * carries CDS and LDS (wildcard) and the EDS and RDS resources they name. Each response is translated, composed with
 * the file and applied through the server's ordinary snapshot swap; it is ACKed with its version and nonce when
 * applied, else NACKed with the previous version, the response's nonce and an {@code error_detail} naming the resource
 * and field — the resources in force stay (never a half-applied update). A broken stream reconnects with jittered
 * exponential back-off (0.5 s doubling to 30 s) and resubscribes with the versions in force; meanwhile the last good
 * config keeps serving. Everything runs on one thread of its own ({@code outrigger-xds}), never an event loop.
 */
public final class XdsClient implements DynamicConfigSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XdsClient.class);
    private static final long BACKOFF_BASE_MS = 500;
    private static final long BACKOFF_MAX_MS = 30_000;

    /** One resource type's subscription on the stream. */
    private static final class Subscription {
        final String typeUrl;
        final boolean wildcard;
        Set<String> names = new TreeSet<>();
        String version = "";
        String nonce = "";
        boolean received;
        long accepted;
        long rejected;
        String lastError;

        Subscription(String typeUrl, boolean wildcard) {
            this.typeUrl = typeUrl;
            this.wildcard = wildcard;
        }

        boolean active() {
            return wildcard || !names.isEmpty();
        }
    }

    private final DynamicResourcesConfig config;
    private final XdsComposer composer;
    private final OutriggerServer server;
    private final List<InetSocketAddress> controlPlane;
    private final RandomGenerator random;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outrigger-xds");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Node node;
    private final long startNanos = System.nanoTime();
    // the xds thread's
    private ManagedChannel channel;
    private StreamObserver<DiscoveryRequest> requests;
    private long stream;
    private int failures;
    private boolean nodeSent;
    private List<String> waiting = List.of();
    private boolean complete;
    // read by other threads
    private volatile XdsResources inForce = XdsResources.EMPTY;
    private volatile boolean initialized;
    private volatile boolean connected;
    private volatile boolean closed;
    private final LongAdder updatesApplied = new LongAdder();
    private final LongAdder updatesRejected = new LongAdder();
    private final LongAdder streamsOpened = new LongAdder();

    /**
     * @param controlPlane the ADS cluster's endpoints, tried in turn
     * @param random       jitter for the reconnect back-off
     */
    public XdsClient(DynamicResourcesConfig config, XdsComposer composer, OutriggerServer server,
                     List<InetSocketAddress> controlPlane, RandomGenerator random) {
        if (controlPlane.isEmpty()) {
            throw new IllegalArgumentException("the ADS cluster has no endpoints");
        }
        this.config = config;
        this.composer = composer;
        this.server = server;
        this.controlPlane = List.copyOf(controlPlane);
        this.random = random;
        if (config.cds()) {
            subscriptions.put(XdsTypes.CDS, new Subscription(XdsTypes.CDS, true));
            subscriptions.put(XdsTypes.EDS, new Subscription(XdsTypes.EDS, false));
        }
        if (config.lds()) {
            subscriptions.put(XdsTypes.LDS, new Subscription(XdsTypes.LDS, true));
            subscriptions.put(XdsTypes.RDS, new Subscription(XdsTypes.RDS, false));
            subscriptions.put(XdsTypes.SDS, new Subscription(XdsTypes.SDS, false));
        }
        Struct.Builder metadata = Struct.newBuilder();
        config.node().metadata().forEach((k, v) -> metadata.putFields(k, Value.newBuilder().setStringValue(v).build()));
        this.node = Node.newBuilder().setId(config.node().id()).setCluster(config.node().cluster())
                .setMetadata(metadata).setUserAgentName("outrigger").setUserAgentVersion(Version.get()).build();
    }

    /** Opens the stream (asynchronously); the first complete set makes the server ready. */
    public XdsClient start() {
        thread.execute(this::connect);
        if (!config.initialFetchTimeout().isZero()) {
            thread.schedule(() -> {
                if (!initialized) {
                    log.warn("xds: no complete set within initial_fetch_timeout {}; ready with what there is (waiting: {})",
                            config.initialFetchTimeout(), waiting.isEmpty() ? "the control plane" : waiting);
                    initialized = true;
                }
            }, config.initialFetchTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** The resources in force (a file reload composes with them). */
    public XdsResources inForce() {
        return inForce;
    }

    @Override
    public boolean initialized() {
        return initialized;
    }

    private void connect() {
        if (closed) {
            return;
        }
        InetSocketAddress address = controlPlane.get(Math.floorMod(failures, controlPlane.size()));
        channel = NettyChannelBuilder.forAddress(address).usePlaintext().keepAliveTime(30, TimeUnit.SECONDS).build();
        long id = ++stream;
        nodeSent = false;
        requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse response) {
                thread.execute(() -> {
                    if (id == stream) {
                        connected = true;
                        failures = 0;
                        onResponse(response);
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                thread.execute(() -> onStreamEnd(id, t.toString()));
            }

            @Override
            public void onCompleted() {
                thread.execute(() -> onStreamEnd(id, "closed by the control plane"));
            }
        });
        streamsOpened.increment();
        log.info("xds: ADS stream to {} opened (node '{}')", address, node.getId());
        // resubscribe with the versions in force (Envoy's reconnect: version_info kept, no nonce)
        for (Subscription s : subscriptions.values()) {
            if (s.active()) {
                send(s, s.version, "", null);
            }
        }
    }

    private void onStreamEnd(long id, String why) {
        if (id != stream || closed) {
            return;
        }
        connected = false;
        stream++;
        failures++;
        channel.shutdownNow();
        long ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(failures - 1, 10));
        long delay = ceiling / 2 + random.nextLong(ceiling / 2 + 1); // jitter: half to all of the ceiling
        log.warn("xds: ADS stream lost ({}); the config in force keeps serving; reconnecting in {} ms", why, delay);
        thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void onResponse(DiscoveryResponse response) {
        Subscription s = subscriptions.get(response.getTypeUrl());
        if (s == null) {
            log.warn("xds: response of a type not asked for: {}", response.getTypeUrl());
            return;
        }
        Map<String, Message> decoded = new LinkedHashMap<>();
        try {
            for (Any any : response.getResourcesList()) {
                Message m = unpack(s.typeUrl, any);
                decoded.put(name(m), m);
            }
        } catch (InvalidProtocolBufferException e) {
            reject(s, response, XdsTypes.shortName(s.typeUrl) + ": undecodable resource: " + e.getMessage());
            return;
        }
        XdsResources next = inForce.with(s.typeUrl, decoded, response.getVersionInfo());
        XdsComposer.Composed composed;
        try {
            composed = composer.compose(next);
        } catch (XdsException e) {
            reject(s, response, e.getMessage());
            return;
        }
        ReloadResult r = server.apply(composed.prepared().config(), composed.prepared().filters());
        if (r.outcome() == ReloadResult.Outcome.REJECTED) {
            reject(s, response, String.join("; ", r.errors()));
            return;
        }
        inForce = next;
        s.version = response.getVersionInfo();
        s.received = true;
        s.accepted++;
        s.lastError = null;
        updatesApplied.increment();
        waiting = composed.waiting();
        send(s, s.version, response.getNonce(), null); // ACK
        log.info("xds: {} version {} applied ({} resources){}", XdsTypes.shortName(s.typeUrl), s.version, decoded.size(),
                waiting.isEmpty() ? "" : "; waiting: " + waiting);
        follow(next);
        complete = subscriptions.values().stream().allMatch(x -> !x.active() || x.received) && waiting.isEmpty();
        if (complete && !initialized) {
            initialized = true;
            log.info("xds: first complete set applied after {} ms", (System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    /** NACK: the previous version, this response's nonce, and why. */
    private void reject(Subscription s, DiscoveryResponse response, String why) {
        s.rejected++;
        s.lastError = why;
        updatesRejected.increment();
        log.warn("xds: {} version {} rejected, version '{}' stays: {}", XdsTypes.shortName(s.typeUrl),
                response.getVersionInfo(), s.version, why);
        send(s, s.version, response.getNonce(), why);
    }

    /** EDS follows the clusters that use it, RDS the listeners that name route configurations. */
    private void follow(XdsResources r) {
        Subscription eds = subscriptions.get(XdsTypes.EDS);
        if (eds != null) {
            Set<String> names = new TreeSet<>();
            for (Cluster c : r.clusters().values()) {
                if (c.getType() == Cluster.DiscoveryType.EDS) {
                    String service = c.getEdsClusterConfig().getServiceName();
                    names.add(service.isEmpty() ? c.getName() : service);
                }
            }
            resubscribe(eds, names);
        }
        Subscription rds = subscriptions.get(XdsTypes.RDS);
        if (rds != null) {
            Set<String> names = new TreeSet<>();
            for (Listener l : r.listeners().values()) {
                String route = XdsTranslator.rdsName(l);
                if (route != null) {
                    names.add(route);
                }
            }
            resubscribe(rds, names);
        }
        Subscription sds = subscriptions.get(XdsTypes.SDS);
        if (sds != null) {
            Set<String> names = new TreeSet<>();
            for (Listener l : r.listeners().values()) {
                names.addAll(XdsTranslator.sdsNames(l));
            }
            resubscribe(sds, names);
        }
    }

    private void resubscribe(Subscription s, Set<String> names) {
        if (!names.equals(s.names)) {
            s.names = names;
            if (names.isEmpty()) {
                s.received = false;
            }
            send(s, s.version, s.nonce, null);
        }
    }

    private void send(Subscription s, String version, String nonce, String error) {
        s.nonce = nonce;
        DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder().setTypeUrl(s.typeUrl).setVersionInfo(version)
                .setResponseNonce(nonce).addAllResourceNames(s.names);
        if (!nodeSent || !config.nodeOnFirstMessageOnly()) {
            b.setNode(node); // with every request, unless set_node_on_first_message_only (Envoy's default)
            nodeSent = true;
        }
        if (error != null) {
            b.setErrorDetail(com.google.rpc.Status.newBuilder().setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
                    .setMessage(error));
        }
        try {
            requests.onNext(b.build());
        } catch (RuntimeException e) {
            log.debug("xds: request not sent ({}); the stream is being replaced", e.toString());
        }
    }

    private static Message unpack(String typeUrl, Any any) throws InvalidProtocolBufferException {
        return switch (typeUrl) {
            case XdsTypes.CDS -> any.unpack(Cluster.class);
            case XdsTypes.EDS -> any.unpack(ClusterLoadAssignment.class);
            case XdsTypes.LDS -> any.unpack(Listener.class);
            case XdsTypes.RDS -> any.unpack(RouteConfiguration.class);
            case XdsTypes.SDS -> any.unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class);
            default -> throw new InvalidProtocolBufferException("unknown type " + typeUrl);
        };
    }

    private static String name(Message m) {
        if (m instanceof Cluster c) {
            return c.getName();
        }
        if (m instanceof ClusterLoadAssignment a) {
            return a.getClusterName();
        }
        if (m instanceof Listener l) {
            return l.getName();
        }
        if (m instanceof io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret secret) {
            return secret.getName();
        }
        return ((RouteConfiguration) m).getName();
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", node.getId());
        out.put("connected", connected);
        out.put("initialized", initialized);
        XdsResources r = inForce;
        List<Object> types = new ArrayList<>();
        for (String type : List.of(XdsTypes.CDS, XdsTypes.EDS, XdsTypes.LDS, XdsTypes.RDS, XdsTypes.SDS)) {
            if (!subscriptions.containsKey(type)) {
                continue;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("type", XdsTypes.shortName(type));
            t.put("version_info", r.versions().getOrDefault(type, ""));
            t.put("source", "ads");
            t.put("resources", List.copyOf(new TreeSet<>(r.of(type).keySet())));
            types.add(t);
        }
        out.put("resources", types);
        out.put("waiting", waiting);
        out.put("updates_applied", updatesApplied.sum());
        out.put("updates_rejected", updatesRejected.sum());
        return out;
    }

    /** Updates applied (ACKed), all types. */
    public long updatesApplied() {
        return updatesApplied.sum();
    }

    /** Updates rejected (NACKed), all types. */
    public long updatesRejected() {
        return updatesRejected.sum();
    }

    /** ADS streams opened (1 + reconnects). */
    public long streamsOpened() {
        return streamsOpened.sum();
    }

    /** How the file and the resources become one config. */
    public XdsComposer composer() {
        return composer;
    }

    /** Whether the ADS stream is up now. */
    public boolean connected() {
        return connected;
    }

    @Override
    public void close() {
        closed = true;
        thread.execute(() -> {
            if (channel != null) {
                channel.shutdownNow();
            }
        });
        thread.shutdown();
    }
}
