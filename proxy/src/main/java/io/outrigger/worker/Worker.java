package io.outrigger.worker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterManager;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything one worker event loop owns: its per-cluster load balancers and connection pools. A
 * downstream connection is served by one worker for its whole life, and every upstream connection it
 * uses comes from this object, so the request path needs no locks and no thread hops.
 */
public final class Worker {
    private final EventLoop eventLoop;
    private final ClusterManager clusterManager;
    private final Supplier<? extends Channel> channelFactory;
    private final Map<String, ThreadLocalCluster> clusters = new HashMap<>();

    public Worker(EventLoop eventLoop, ClusterManager clusterManager, Supplier<? extends Channel> channelFactory) {
        this.eventLoop = eventLoop;
        this.clusterManager = clusterManager;
        this.channelFactory = channelFactory;
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    /**
     * Returns this worker's view of the cluster named {@code name}, created on first use; must be called
     * on {@link #eventLoop()}.
     *
     * @return the cluster, or {@code null} when no cluster has that name
     */
    public ThreadLocalCluster cluster(String name) {
        ThreadLocalCluster c = clusters.get(name);
        if (c == null) {
            Cluster shared = clusterManager.get(name);
            if (shared == null) {
                return null;
            }
            c = new ThreadLocalCluster(shared, eventLoop, channelFactory);
            clusters.put(name, c);
        }
        return c;
    }

    /** The clusters this worker has used (call on the event loop). */
    public Iterable<ThreadLocalCluster> clusters() {
        return clusters.values();
    }
}
