package io.outrigger.upstream.lb;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.LoadBalancingConfig;
import io.outrigger.config.RingHashConfig;
import io.outrigger.config.SlowStartConfig;
import io.outrigger.upstream.Host;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Builds the per-worker {@link LoadBalancer} of a cluster. Expensive shared state (the ring) is built
 * once, here, off the request path.
 */
public interface LoadBalancerFactory {
    /** Creates the load balancer for one worker. */
    LoadBalancer create(RandomGenerator random);

    /**
     * The shared ring or Maglev table of a hashing policy, for measurement ({@code /debug/hash}); {@code null} for the
     * other policies.
     */
    default HashStructure hashStructure() {
        return null;
    }

    /** A hashing policy's shared structure, read without load or retry state. */
    interface HashStructure {
        /** The host owning {@code key} (no bounded load, no host avoided), or {@code null} without hosts. */
        Host lookup(long key);

        /** Each host's share of the hash space (ring) or table slots (Maglev), in the order of {@link #hosts()}. */
        double[] shares();

        /** The hosts, in the order of {@link #shares()}. */
        List<Host> hosts();

        /** Entries in the ring or slots in the table. */
        int size();
    }

    /**
     * @param policy the cluster's {@code lb_policy}
     * @param hosts  the cluster's hosts (may be empty)
     * @param ring   ring settings (used by {@code ring_hash})
     * @param lb     {@code hash_balance_factor} (ring_hash, maglev) and {@code least_request_lb_config}
     */
    static LoadBalancerFactory of(ClusterConfig.LbPolicy policy, List<Host> hosts, RingHashConfig ring,
                                  LoadBalancingConfig lb) {
        return of(policy, hosts, ring, lb, System::nanoTime);
    }

    /**
     * A balancer over priority levels: a level is drawn by its share of traffic, then a host by the cluster's policy
     * among that level's hosts ({@link PriorityLoadBalancer}). One level is exactly
     * {@link #of(ClusterConfig.LbPolicy, List, RingHashConfig, LoadBalancingConfig)}.
     *
     * @param owners per level, the cluster whose {@code lb_policy} and settings balance it (an aggregate's levels
     *               come from several clusters)
     * @param levels the hosts each level uses (level 0 first)
     * @param loads  percent of traffic per level, summing to 100
     * @param picks  per level, a counter of picks, or {@code null}
     * @param failovers counts picks served by another level than the one the split drew ({@code null}: not counted)
     */
    static LoadBalancerFactory ofLevels(List<ClusterConfig> owners, List<List<Host>> levels, int[] loads,
                                        java.util.concurrent.atomic.LongAdder[] picks,
                                        java.util.concurrent.atomic.LongAdder failovers) {
        if (levels.size() == 1 && picks == null) {
            ClusterConfig c = owners.get(0);
            return of(c.lbPolicy(), levels.get(0), c.ringHash(), c.loadBalancing());
        }
        LoadBalancerFactory[] factories = new LoadBalancerFactory[levels.size()];
        for (int i = 0; i < factories.length; i++) {
            ClusterConfig c = owners.get(i);
            // a level without traffic still gets a balancer: a retry that has tried every host of the drawn level
            // moves on to it (PriorityLoadBalancer)
            factories[i] = levels.get(i).isEmpty() ? null : of(c.lbPolicy(), levels.get(i), c.ringHash(), c.loadBalancing());
        }
        return PriorityLoadBalancer.factory(loads, factories, picks, failovers);
    }

    /**
     * As {@link #of(ClusterConfig.LbPolicy, List, RingHashConfig, LoadBalancingConfig)}, with the clock of slow start.
     *
     * @param ticker nanoseconds on the clock of {@link Host#slowStartBeginNanos()}
     */
    static LoadBalancerFactory of(ClusterConfig.LbPolicy policy, List<Host> hosts, RingHashConfig ring,
                                  LoadBalancingConfig lb, LongSupplier ticker) {
        SlowStartConfig slow = lb.slowStart();
        Host any = hosts.isEmpty() ? null : hosts.get(0);
        int factor = lb.hashBalanceFactor();
        return switch (policy) {
            case ROUND_ROBIN -> random -> new RoundRobinLoadBalancer(hosts, random.nextInt(Math.max(1, hosts.size())),
                    slow == null ? null : new SlowStartWeights(hosts, slow, ticker), random);
            case LEAST_REQUEST -> {
                WeightedDraw draw = new WeightedDraw(hosts);
                yield random -> new LeastRequestLoadBalancer(draw, random, lb.choiceCount(), lb.activeRequestBias(),
                        slow == null ? null : new SlowStartWeights(hosts, slow, ticker));
            }
            case RANDOM -> {
                WeightedDraw draw = new WeightedDraw(hosts);
                yield random -> new RandomLoadBalancer(draw, random);
            }
            case RING_HASH -> {
                HashRing shared = HashRing.build(hosts, ring.hashesPerHost(), ring.minimumRingSize(), ring.maximumRingSize());
                yield hashing(random -> new RingHashLoadBalancer(shared, random,
                        factor > 0 ? new BoundedLoad(factor, hosts) : null, any), shared::lookup, shared::ownership,
                        hosts, shared.size());
            }
            case MAGLEV -> {
                MaglevTable shared = MaglevTable.build(hosts, MaglevTable.DEFAULT_TABLE_SIZE);
                yield hashing(random -> new MaglevLoadBalancer(shared, random,
                        factor > 0 ? new BoundedLoad(factor, hosts) : null, any), shared::lookup, shared::shares,
                        hosts, MaglevTable.DEFAULT_TABLE_SIZE);
            }
        };
    }

    private static LoadBalancerFactory hashing(LoadBalancerFactory create, java.util.function.LongFunction<Host> lookup,
                                               java.util.function.Supplier<double[]> shares, List<Host> hosts, int size) {
        HashStructure structure = new HashStructure() {
            @Override
            public Host lookup(long key) {
                return lookup.apply(key);
            }

            @Override
            public double[] shares() {
                return shares.get();
            }

            @Override
            public List<Host> hosts() {
                return hosts;
            }

            @Override
            public int size() {
                return size;
            }
        };
        return new LoadBalancerFactory() {
            @Override
            public LoadBalancer create(RandomGenerator random) {
                return create.create(random);
            }

            @Override
            public HashStructure hashStructure() {
                return structure;
            }
        };
    }
}
