package io.outrigger.xds;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.grpc.ManagedChannel;
import io.outrigger.Version;
import io.outrigger.config.DynamicResourcesConfig;
import io.outrigger.server.DynamicConfigSource;
import io.outrigger.server.OutriggerServer;
import io.outrigger.server.ReloadResult;
import java.net.InetSocketAddress;
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

    private final DynamicResourcesConfig config;
    private final XdsComposer composer;
    private final OutriggerServer server;
    private final List<InetSocketAddress> controlPlane;
    /** TLS to the control plane (the ADS cluster's {@code tls}), or {@code null} for h2c. */
    private final io.outrigger.config.UpstreamTlsConfig tls;
    private final RandomGenerator random;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outrigger-xds");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, XdsSubscription> subscriptions = new LinkedHashMap<>();
    private final Node node;
    private final long startNanos = System.nanoTime();
    // the xds thread's
    private ManagedChannel channel;
    private AdsStream ads;
    private long stream;
    private int failures;
    private volatile List<String> waiting = List.of();
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
                     List<InetSocketAddress> controlPlane, io.outrigger.config.UpstreamTlsConfig tls, RandomGenerator random) {
        if (controlPlane.isEmpty()) {
            throw new IllegalArgumentException("the ADS cluster has no endpoints");
        }
        this.config = config;
        this.composer = composer;
        this.server = server;
        this.controlPlane = List.copyOf(controlPlane);
        this.tls = tls;
        this.random = random;
        if (config.cds()) {
            subscriptions.put(XdsTypes.CDS, new XdsSubscription(XdsTypes.CDS, true));
        }
        subscriptions.put(XdsTypes.EDS, new XdsSubscription(XdsTypes.EDS, false)); // CDS clusters and the file's eds ones
        if (config.lds()) {
            subscriptions.put(XdsTypes.LDS, new XdsSubscription(XdsTypes.LDS, true));
            subscriptions.put(XdsTypes.RDS, new XdsSubscription(XdsTypes.RDS, false));
        }
        subscriptions.put(XdsTypes.SDS, new XdsSubscription(XdsTypes.SDS, false)); // listener and cluster certificates
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

    /**
     * A file reload: the file composed with the resources in force and applied, on the xDS thread (so it never
     * interleaves with an xDS update).
     *
     * @throws XdsException when the composed config is invalid (the message names the file's or a resource's fault)
     */
    public ReloadResult reloadFile() throws XdsException {
        try {
            return thread.submit(() -> {
                XdsComposer.Composed c = composer.compose(inForce);
                return server.apply(c.prepared().config(), c.prepared().filters());
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof XdsException x) {
                throw x;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XdsException("interrupted");
        }
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
        try {
            channel = ControlPlaneChannels.open(address, tls);
        } catch (Exception e) {
            log.error("xds: TLS to the control plane cannot be set up ({}); retrying", e.toString());
            failures++;
            thread.schedule(this::connect, BACKOFF_MAX_MS, TimeUnit.MILLISECONDS);
            return;
        }
        long id = ++stream;
        java.util.function.Consumer<AdsStream.Update> onUpdate = u -> thread.execute(() -> {
            if (id == stream) {
                connected = true;
                failures = 0;
                onUpdate(u);
            }
        });
        java.util.function.Consumer<String> onEnd = why -> thread.execute(() -> onStreamEnd(id, why));
        ads = config.delta() ? new DeltaStream(channel, node, config.nodeOnFirstMessageOnly(), onUpdate, onEnd)
                : new SotwStream(channel, node, config.nodeOnFirstMessageOnly(), onUpdate, onEnd);
        streamsOpened.increment();
        log.info("xds: ADS stream ({}) to {} opened (node '{}')", config.delta() ? "delta" : "state of the world",
                address, node.getId());
        // resubscribe with what is in force (SotW: version_info kept, no nonce; delta: initial_resource_versions)
        for (XdsSubscription s : subscriptions.values()) {
            s.nonce = "";
            s.started = false;
            s.sentNames = new TreeSet<>();
            if (s.active()) {
                ads.subscribe(s);
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
        ads.close();
        channel.shutdownNow();
        long ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(failures - 1, 10));
        long delay = ceiling / 2 + random.nextLong(ceiling / 2 + 1); // jitter: half to all of the ceiling
        log.warn("xds: ADS stream lost ({}); the config in force keeps serving; reconnecting in {} ms", why, delay);
        thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void onUpdate(AdsStream.Update u) {
        XdsSubscription s = subscriptions.get(u.typeUrl());
        if (s == null) {
            log.warn("xds: response of a type not asked for: {}", u.typeUrl());
            return;
        }
        if (u.decodeError() != null) {
            reject(s, u, u.decodeError());
            return;
        }
        String fingerprint = u.version() + "/" + u.resources().hashCode() + "/" + u.removed().hashCode();
        if (fingerprint.equals(s.rejectedFingerprint)) {
            // the control plane sent back what was just rejected (some resend at once): the same NACK, later each
            // time (0.1 s doubling to 30 s), without composing it again — no busy loop between the two sides
            long delay = Math.min(BACKOFF_MAX_MS, 100L << Math.min(s.repeatedRejections++, 9));
            updatesRejected.increment();
            String why = s.lastError;
            AdsStream on = ads;
            thread.schedule(() -> {
                if (on == ads) {
                    on.nack(s, u.nonce(), why);
                }
            }, delay, TimeUnit.MILLISECONDS);
            return;
        }
        Map<String, Message> resources = new LinkedHashMap<>();
        if (!u.stateOfTheWorld()) {
            resources.putAll(inForce.of(s.typeUrl));
            resources.keySet().removeAll(u.removed());
        }
        resources.putAll(u.resources());
        XdsResources next = inForce.with(s.typeUrl, resources, u.version());
        XdsComposer.Composed composed;
        try {
            composed = composer.compose(next);
        } catch (XdsException e) {
            reject(s, u, e.getMessage());
            return;
        }
        ReloadResult r = server.apply(composed.prepared().config(), composed.prepared().filters());
        if (r.outcome() == ReloadResult.Outcome.REJECTED) {
            reject(s, u, String.join("; ", r.errors()));
            return;
        }
        inForce = next;
        s.rejectedFingerprint = null;
        s.version = u.version();
        if (u.stateOfTheWorld()) {
            s.resourceVersions.clear();
        }
        s.resourceVersions.keySet().removeAll(u.removed());
        s.resourceVersions.putAll(u.resourceVersions());
        s.versionsView = Map.copyOf(s.resourceVersions);
        s.received = true;
        s.accepted++;
        s.lastError = null;
        updatesApplied.increment();
        waiting = composed.waiting();
        ads.ack(s, u.nonce());
        log.info("xds: {} version {} applied ({} resources{}){}", XdsTypes.shortName(s.typeUrl), s.version,
                u.resources().size(), u.removed().isEmpty() ? "" : ", " + u.removed().size() + " removed",
                waiting.isEmpty() ? "" : "; waiting: " + waiting);
        follow(next, composed.fileEds());
        complete = subscriptions.values().stream().allMatch(x -> !x.active() || x.received) && waiting.isEmpty();
        if (complete && !initialized) {
            initialized = true;
            log.info("xds: first complete set applied after {} ms", (System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    /** NACK: the previous version stays, this response's nonce, and why. */
    private void reject(XdsSubscription s, AdsStream.Update u, String why) {
        s.rejected++;
        s.lastError = why;
        s.rejectedFingerprint = u.version() + "/" + u.resources().hashCode() + "/" + u.removed().hashCode();
        s.repeatedRejections = 0;
        updatesRejected.increment();
        log.warn("xds: {} version {} rejected, version '{}' stays: {}", XdsTypes.shortName(s.typeUrl), u.version(),
                s.version, why);
        ads.nack(s, u.nonce(), why);
    }

    /** EDS follows the clusters that use it, RDS the listeners that name route configurations. */
    private void follow(XdsResources r, Set<String> fileEds) {
        XdsSubscription eds = subscriptions.get(XdsTypes.EDS);
        if (eds != null) {
            Set<String> names = new TreeSet<>(fileEds);
            for (Cluster c : r.clusters().values()) {
                if (c.getType() == Cluster.DiscoveryType.EDS) {
                    String service = c.getEdsClusterConfig().getServiceName();
                    names.add(service.isEmpty() ? c.getName() : service);
                }
            }
            resubscribe(eds, names);
        }
        XdsSubscription rds = subscriptions.get(XdsTypes.RDS);
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
        XdsSubscription sds = subscriptions.get(XdsTypes.SDS);
        if (sds != null) {
            Set<String> names = new TreeSet<>();
            for (Listener l : r.listeners().values()) {
                names.addAll(XdsTranslator.sdsNames(l));
            }
            for (Cluster c : r.clusters().values()) {
                names.addAll(XdsTranslator.sdsNames(c));
            }
            resubscribe(sds, names);
        }
    }

    private void resubscribe(XdsSubscription s, Set<String> names) {
        if (!names.equals(s.names)) {
            s.names = names;
            if (names.isEmpty()) {
                s.received = false;
            }
            ads.subscribe(s);
        }
    }

    @Override
    public Map<String, Object> status() {
        return XdsStatus.of(node.getId(), connected, initialized, inForce, subscriptions, server.config(), waiting,
                updatesApplied.sum(), updatesRejected.sum());
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
