package io.outrigger.worker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.outrigger.pool.ConnectionPool;
import io.outrigger.pool.Http1ConnectionPool;
import io.outrigger.pool.Http2ConnectionPool;
import io.outrigger.config.ClusterConfig;
import io.outrigger.config.Http2ProtocolOptions;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.HostSet;
import io.outrigger.upstream.lb.LoadBalancer;
import io.outrigger.upstream.lb.LoadBalancerContext;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * One worker's view of a cluster (Envoy's {@code ThreadLocalCluster}): its own load balancer and its
 * own connection pool per host. Confined to the worker's event loop.
 */
public final class ThreadLocalCluster {
    private final Cluster cluster;
    private final EventLoop eventLoop;
    private final Supplier<? extends Channel> channelFactory;
    private HostSet hostSet;
    private LoadBalancer loadBalancer;
    private final Map<Host, ConnectionPool> pools = new IdentityHashMap<>();
    private final Map<Host, ConnectionPool> http2Pools = new IdentityHashMap<>();
    /** Hosts that chose HTTP/1.1 by ALPN when offered {@code [h2, http/1.1]}: this worker speaks HTTP/1.1 to them. */
    private final java.util.Set<Host> choseHttp1 = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    ThreadLocalCluster(Cluster cluster, EventLoop eventLoop, Supplier<? extends Channel> channelFactory) {
        this.cluster = cluster;
        this.eventLoop = eventLoop;
        this.channelFactory = channelFactory;
        this.hostSet = cluster.hostSet();
        this.loadBalancer = hostSet.lbFactory().create(ThreadLocalRandom.current());
    }

    public Cluster cluster() {
        return cluster;
    }

    /** Picks a host; {@code null} when the cluster has none. */
    public Host chooseHost(LoadBalancerContext context) {
        HostSet current = cluster.hostSet();
        if (current != hostSet) { // health changed: balance over the new snapshot
            hostSet = current;
            loadBalancer = current.lbFactory().create(ThreadLocalRandom.current());
        }
        return loadBalancer.chooseHost(context);
    }

    /** Closes this worker's idle connections to {@code host} (it became unhealthy). */
    public void closeIdle(Host host) {
        ConnectionPool p = pools.get(host);
        if (p != null) {
            p.closeIdle();
        }
        p = http2Pools.get(host);
        if (p != null) {
            p.closeIdle();
        }
    }

    /**
     * This worker's pool for {@code host} in the protocol the cluster speaks to it (its
     * {@code http2_protocol_options} and {@code protocol_selection}), created on first use.
     *
     * @param downstreamProtocol the caller's protocol ({@code HTTP/1.1}, {@code HTTP/2}, …), for
     *                           {@code use_downstream_protocol}
     */
    public ConnectionPool connectionPool(Host host, String downstreamProtocol) {
        ClusterConfig config = cluster.config();
        boolean alpnBoth = alpnOffersBoth(config);
        boolean http2 = config.protocolSelection() == ClusterConfig.ProtocolSelection.USE_DOWNSTREAM_PROTOCOL
                ? !downstreamProtocol.startsWith("HTTP/1")
                : alpnBoth ? !choseHttp1.contains(host) : config.http2ProtocolOptions() != null;
        Map<Host, ConnectionPool> map = http2 ? http2Pools : pools;
        ConnectionPool p = map.get(host);
        if (p == null) {
            p = http2 ? new Http2ConnectionPool(eventLoop, channelFactory, host, cluster.resources(), config.connectionPool(),
                    config.http2ProtocolOptions() != null ? config.http2ProtocolOptions() : Http2ProtocolOptions.DEFAULT,
                    config.connectTimeout(), cluster.tls(), alpnBoth ? () -> choseHttp1.add(host) : null)
                    : new Http1ConnectionPool(eventLoop, channelFactory, host, cluster.resources(), config.connectionPool(),
                    config.connectTimeout(), cluster.tls());
            map.put(host, p);
        }
        return p;
    }

    // tls.alpn_protocols: [h2, http/1.1]: ALPN picks the protocol per host (h2 first; a host that picks http/1.1 is
    // remembered by this worker and gets HTTP/1.1 from then on)
    private static boolean alpnOffersBoth(ClusterConfig config) {
        return config.tls() != null && config.tls().alpnProtocols().contains("h2")
                && config.tls().alpnProtocols().contains("http/1.1");
    }

    /**
     * A reload removed or replaced the cluster: idle connections close now; connections still serving a request go
     * back to their pool when it ends and close at the pool's {@code idle_timeout} (default 4 s).
     */
    void retire() {
        for (ConnectionPool p : pools()) {
            p.closeIdle();
        }
    }

    /** The pools created so far, HTTP/1.1 then HTTP/2 (for the admin API and shutdown). */
    public Iterable<ConnectionPool> pools() {
        java.util.List<ConnectionPool> all = new java.util.ArrayList<>(pools.values());
        all.addAll(http2Pools.values());
        return all;
    }
}
