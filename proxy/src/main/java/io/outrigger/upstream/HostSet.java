package io.outrigger.upstream;

import io.outrigger.upstream.lb.LoadBalancerFactory;
import java.util.List;

/**
 * An immutable snapshot of a cluster's hosts as load balancing uses them: which hosts are eligible, and
 * the load-balancer factory (ring) built over exactly those. Replaced as a whole when health changes.
 *
 * @param all       every host of the cluster
 * @param eligible  the hosts traffic goes to: the healthy ones, or all of them in panic mode
 * @param panic     fewer than half the hosts are healthy, so all are used (Envoy's 50% panic threshold)
 * @param lbFactory creates per-worker load balancers over {@code eligible}
 * @param priorities the priority levels in use, ascending (e.g. {@code [0, 1]})
 * @param load      how traffic splits over {@code priorities}, and which level is in panic
 */
public record HostSet(List<Host> all, List<Host> eligible, boolean panic, LoadBalancerFactory lbFactory,
                      List<Integer> priorities, PriorityLoad load) {
    public HostSet {
        all = List.copyOf(all);
        eligible = List.copyOf(eligible);
        priorities = List.copyOf(priorities);
    }
}
