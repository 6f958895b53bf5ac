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
    private int generation;

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
        int g = clusterManager.generation();
        if (g != generation) {
            generation = g;
            retireReplaced();
        }
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

    /** A reload published new clusters: this worker's views of removed or replaced ones go (their idle connections close). */
    private void retireReplaced() {
        var it = clusters.values().iterator();
        while (it.hasNext()) {
            ThreadLocalCluster c = it.next();
            if (clusterManager.get(c.cluster().name()) != c.cluster()) {
                it.remove();
                c.retire();
            }
        }
    }

    /**
     * Retires this worker's views of clusters a reload removed or replaced now, not at the next look-up (call on the
     * event loop; a reload schedules it on every worker).
     */
    public void onClustersChanged() {
        cluster("");
    }

    /** The clusters this worker has used (call on the event loop). */
    public Iterable<ThreadLocalCluster> clusters() {
        return clusters.values();
    }
}
