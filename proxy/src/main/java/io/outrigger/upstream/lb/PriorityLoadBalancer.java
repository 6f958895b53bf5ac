package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import io.outrigger.upstream.lb.LoadBalancerFactory.HashStructure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/**
 * Picks a priority level by its share of traffic ({@code io.outrigger.upstream.PriorityLoad}), then a host with that
 * level's own balancer. A request with a hash key picks its level by the key (key mod 100, as Envoy does), so a key
 * stays on its level and, within it, on its host while the split does not change; other requests draw a level at
 * random. If the chosen level has no host, or only hosts a retry has tried already, the next levels are tried (so a
 * retry after every preferred host failed goes to a standby level even before health checking moved the traffic —
 * what Envoy's {@code previous_priorities} retry plugin is for). Confined to one worker.
 */
final class PriorityLoadBalancer implements LoadBalancer {
    private final int[] cumulative; // cumulative[i] = percent of levels 0..i
    private final LoadBalancer[] levels; // null for a level without traffic
    private final RandomGenerator random;
    private final LongAdder[] picks; // per level, shared by the workers; may be null
    private final LongAdder failovers; // may be null

    private PriorityLoadBalancer(int[] cumulative, LoadBalancer[] levels, RandomGenerator random, LongAdder[] picks,
                                 LongAdder failovers) {
        this.cumulative = cumulative;
        this.levels = levels;
        this.random = random;
        this.picks = picks;
        this.failovers = failovers;
    }

    /**
     * @param loads  percent of traffic per level, summing to 100
     * @param levels each level's balancer factory over the hosts it uses ({@code null} where its load is 0)
     * @param picks  per level, a counter of picks (for {@code /clusters}), or {@code null}
     * @param failovers counts picks that another level than the drawn one served (its hosts were all tried by a
     *               retry, or it had none), or {@code null}
     */
    static LoadBalancerFactory factory(int[] loads, LoadBalancerFactory[] levels, LongAdder[] picks, LongAdder failovers) {
        int[] cumulative = new int[loads.length];
        int sum = 0;
        for (int i = 0; i < loads.length; i++) {
            sum += loads[i];
            cumulative[i] = sum;
        }
        HashStructure structure = hashStructure(loads, levels, cumulative);
        return new LoadBalancerFactory() {
            @Override
            public LoadBalancer create(RandomGenerator random) {
                LoadBalancer[] lbs = new LoadBalancer[levels.length];
                for (int i = 0; i < levels.length; i++) {
                    lbs[i] = levels[i] == null ? null : levels[i].create(random);
                }
                return new PriorityLoadBalancer(cumulative, lbs, random, picks, failovers);
            }

            @Override
            public HashStructure hashStructure() {
                return structure;
            }
        };
    }

    static int levelOf(int[] cumulative, int point) {
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        int point = context.hasHashKey() ? (int) Long.remainderUnsigned(context.hashKey(), 100) : random.nextInt(100);
        int first = levelOf(cumulative, point);
        Host fallback = null;
        int fallbackLevel = -1;
        for (int k = 0; k < levels.length; k++) {
            int level = (first + k) % levels.length;
            if (levels[level] == null) {
                continue;
            }
            Host h = levels[level].chooseHost(context);
            if (h == null) {
                continue;
            }
            if (!context.shouldSelectAnotherHost(h)) {
                return counted(h, level, first);
            }
            // every host of this level was tried already (a retry): the next level, if it has an untried one
            if (fallback == null) {
                fallback = h;
                fallbackLevel = level;
            }
        }
        return fallback == null ? null : counted(fallback, fallbackLevel, first);
    }

    private Host counted(Host h, int level, int drawn) {
        if (picks != null) {
            picks[level].increment();
        }
        if (level != drawn && failovers != null) {
            failovers.increment();
        }
        return h;
    }

    /** The levels' rings or tables seen as one: a key goes to its level (key mod 100), then to its host there. */
    private static HashStructure hashStructure(int[] loads, LoadBalancerFactory[] levels, int[] cumulative) {
        HashStructure[] parts = new HashStructure[levels.length];
        for (int i = 0; i < levels.length; i++) {
            if (levels[i] != null && loads[i] > 0) {
                parts[i] = levels[i].hashStructure();
                if (parts[i] == null) {
                    return null; // not a hashing policy
                }
            }
        }
        List<Host> hosts = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                continue;
            }
            double[] s = parts[i].shares();
            for (int h = 0; h < s.length; h++) {
                hosts.add(parts[i].hosts().get(h));
                shares.add(s[h] * loads[i] / 100.0);
            }
            size += parts[i].size();
        }
        double[] shareArray = shares.stream().mapToDouble(Double::doubleValue).toArray();
        List<Host> hostList = List.copyOf(hosts);
        int totalSize = size;
        return new HashStructure() {
            @Override
            public Host lookup(long key) {
                int level = levelOf(cumulative, (int) Long.remainderUnsigned(key, 100));
                return parts[level] == null ? null : parts[level].lookup(key);
            }

            @Override
            public double[] shares() {
                return shareArray.clone();
            }

            @Override
            public List<Host> hosts() {
                return hostList;
            }

            @Override
            public int size() {
                return totalSize;
            }
        };
    }
}
