package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Weighted round robin: a fixed schedule in which each host appears {@code weight} times, interleaved
 * round by round (weights 3 and 1 give A B A A). While a host is in its slow-start window, hosts are drawn at
 * random in proportion to their effective weights instead ({@link SlowStartWeights}). Confined to one worker.
 */
final class RoundRobinLoadBalancer implements LoadBalancer {
    private final Host[] schedule;
    private int next;
    private final SlowStartWeights slowStart; // null without slow_start_config
    private final RandomGenerator random;

    RoundRobinLoadBalancer(List<Host> hosts, int start) {
        this(hosts, start, null, null);
    }

    /**
     * @param slowStart effective weights while a host ramps up, or {@code null}
     * @param random    draws by effective weight during slow start; unused without it
     */
    RoundRobinLoadBalancer(List<Host> hosts, int start, SlowStartWeights slowStart, RandomGenerator random) {
        this.schedule = schedule(hosts);
        this.next = schedule.length == 0 ? 0 : Math.floorMod(start, schedule.length);
        this.slowStart = slowStart;
        this.random = random;
    }

    static Host[] schedule(List<Host> hosts) {
        int maxWeight = 0;
        for (Host h : hosts) {
            maxWeight = Math.max(maxWeight, h.weight());
        }
        List<Host> out = new ArrayList<>();
        for (int round = 0; round < maxWeight; round++) {
            for (Host h : hosts) {
                if (h.weight() > round) {
                    out.add(h);
                }
            }
        }
        return out.toArray(new Host[0]);
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        if (schedule.length == 0) {
            return null;
        }
        if (slowStart != null && slowStart.active()) {
            // a host is ramping up: draw by effective weight (Envoy switches to an EDF schedule; same shares)
            Host h = slowStart.draw(random);
            for (int i = 0; i < RandomLoadBalancer.MAX_REDRAWS && context.shouldSelectAnotherHost(h); i++) {
                h = slowStart.draw(random);
            }
            return h;
        }
        Host first = null;
        for (int i = 0; i < schedule.length; i++) {
            Host h = schedule[next];
            next = next + 1 == schedule.length ? 0 : next + 1;
            if (!context.shouldSelectAnotherHost(h)) {
                return h;
            }
            first = first == null ? h : first;
        }
        return first; // every host was tried already: reuse one

    }
}
