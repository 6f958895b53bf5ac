package io.outrigger.upstream;

import io.outrigger.config.ClusterConfig;
import io.outrigger.tls.ClientTlsContext;
import io.outrigger.upstream.lb.LoadBalancerFactory;
import java.util.List;

/**
 * A cluster as the data plane sees it: immutable hosts and load-balancer factory, plus the shared
 * resource counters. Shared by all workers.
 *
 * @param config    the validated config
 * @param hosts     resolved hosts, in config order
 * @param lbFactory creates each worker's load balancer
 * @param resources cluster-wide connection and pending-request counts
 * @param tls       the client TLS context, or {@code null} for cleartext upstream connections
 */
public record Cluster(ClusterConfig config, List<Host> hosts, LoadBalancerFactory lbFactory, ClusterResources resources,
                      ClientTlsContext tls) {
    public Cluster {
        hosts = List.copyOf(hosts);
    }

    public String name() {
        return config.name();
    }
}
