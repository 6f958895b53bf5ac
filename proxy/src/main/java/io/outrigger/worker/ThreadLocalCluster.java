package io.outrigger.worker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.outrigger.pool.ConnectionPool;
import io.outrigger.pool.Http1ConnectionPool;
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
    }

    /** This worker's HTTP/1.1 pool for {@code host}, created on first use. */
    public ConnectionPool connectionPool(Host host) {
        ConnectionPool p = pools.get(host);
        if (p == null) {
            p = new Http1ConnectionPool(eventLoop, channelFactory, host, cluster.resources(),
                    cluster.config().connectionPool(), cluster.config().connectTimeout(), cluster.tls());
            pools.put(host, p);
        }
        return p;
    }

    /** The pools created so far (for the admin API and shutdown). */
    public Iterable<ConnectionPool> pools() {
        return pools.values();
    }
}
