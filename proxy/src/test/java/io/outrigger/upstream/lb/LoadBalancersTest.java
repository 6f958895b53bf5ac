package io.outrigger.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.LoadBalancingConfig;
import io.outrigger.config.RingHashConfig;
import io.outrigger.config.SlowStartConfig;
import java.time.Duration;
import io.outrigger.upstream.Host;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** least_request, random and bounded-load hashing, on fixed seeds, with loads simulated on real {@link Host}s. */
class LoadBalancersTest {
    static List<Host> hosts(int n, int... weights) throws Exception {
        LongAdder cluster = new LongAdder();
        List<Host> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Host("c", "10.0.0." + (i + 1), new InetSocketAddress(InetAddress.getByName("10.0.0." + (i + 1)), 80),
                    weights.length == 0 ? 1 : weights[i], cluster));
        }
        return out;
    }

    /** A pick's context: its key (if any) and a host to avoid (a retry's previous host, or {@code null}). */
    record Pick(boolean hasHashKey, long hashKey, Host avoid) implements LoadBalancerContext {
        @Override
        public boolean shouldSelectAnotherHost(Host h) {
            return h == avoid;
        }
    }

    static LoadBalancerContext key(long k) {
        return new Pick(true, k, null);
    }

    static final LoadBalancerContext NO_KEY = new Pick(false, 0, null);

    static LoadBalancer balancer(ClusterConfig.LbPolicy policy, List<Host> hosts, LoadBalancingConfig lb, long seed) {
        return LoadBalancerFactory.of(policy, hosts, RingHashConfig.DEFAULT, lb).create(new SplittableRandom(seed));
    }

    @Test
    void leastRequestNeverPicksTheBusierOfTheTwoItDrew() throws Exception {
        List<Host> hs = hosts(10);
        for (int i = 0; i < hs.size(); i++) {
            for (int r = 0; r < i; r++) {
                hs.get(i).requestStarted(); // host i has i requests in flight
            }
        }
        // the same seed drives a shadow draw, so the two candidates of every pick are known
        RandomGenerator shadow = new SplittableRandom(7);
        LoadBalancer lb = balancer(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, LoadBalancingConfig.DEFAULT, 7);
        for (int pick = 0; pick < 10_000; pick++) {
            Host a = hs.get(shadow.nextInt(hs.size()));
            Host b = hs.get(shadow.nextInt(hs.size()));
            Host chosen = lb.chooseHost(NO_KEY);
            assertThat(chosen).isSameAs(b.activeRequests() < a.activeRequests() ? b : a);
        }
    }

    @Test
    void leastRequestUnderLoadKeepsTheBusiestHostNearTheAverage() throws Exception {
        // 8 hosts, 800 requests in flight, each pick adds one and a random one ends: P2C vs random
        Map<String, Long> spread = new HashMap<>();
        for (ClusterConfig.LbPolicy p : List.of(ClusterConfig.LbPolicy.LEAST_REQUEST, ClusterConfig.LbPolicy.RANDOM)) {
            List<Host> hs = hosts(8);
            LoadBalancer lb = balancer(p, hs, LoadBalancingConfig.DEFAULT, 11);
            SplittableRandom ends = new SplittableRandom(3);
            List<Host> inFlight = new ArrayList<>();
            long worst = 0;
            for (int i = 0; i < 50_000; i++) {
                Host h = lb.chooseHost(NO_KEY);
                h.requestStarted();
                inFlight.add(h);
                if (inFlight.size() > 800) {
                    Host done = inFlight.remove(ends.nextInt(inFlight.size()));
                    done.requestFinished();
                }
                if (i > 10_000) {
                    long max = hs.stream().mapToLong(Host::activeRequests).max().orElse(0);
                    worst = Math.max(worst, max);
                }
            }
            spread.put(p.yamlName(), worst);
        }
        // average 100 per host: two choices stay within a few requests of it, random wanders much further
        assertThat(spread.get("least_request")).isLessThanOrEqualTo(110);
        assertThat(spread.get("random")).isGreaterThan(spread.get("least_request") + 10);
    }

    @Test
    void weightedLeastRequestAndRandomFollowTheWeights() throws Exception {
        List<Host> hs = hosts(3, 1, 2, 5);
        for (ClusterConfig.LbPolicy p : List.of(ClusterConfig.LbPolicy.LEAST_REQUEST, ClusterConfig.LbPolicy.RANDOM)) {
            LoadBalancer lb = balancer(p, hs, LoadBalancingConfig.DEFAULT, 5);
            int[] count = new int[3];
            for (int i = 0; i < 80_000; i++) {
                count[hs.indexOf(lb.chooseHost(NO_KEY))]++; // idle hosts: the weights decide
            }
            // shares 1/8, 2/8, 5/8 for random; least_request with no load picks the heaviest of its draws
            if (p == ClusterConfig.LbPolicy.RANDOM) {
                assertThat(count[0] / 80_000.0).isBetween(0.115, 0.135);
                assertThat(count[1] / 80_000.0).isBetween(0.24, 0.26);
                assertThat(count[2] / 80_000.0).isBetween(0.615, 0.635);
            } else {
                assertThat(count[2]).isGreaterThan(count[1]).isGreaterThan(0);
                assertThat(count[1]).isGreaterThan(count[0]);
            }
        }
    }

    @Test
    void aRetryAvoidsThePreviousHostWithEveryPolicy() throws Exception {
        List<Host> hs = hosts(3);
        for (ClusterConfig.LbPolicy p : ClusterConfig.LbPolicy.values()) {
            LoadBalancer lb = balancer(p, hs, LoadBalancingConfig.DEFAULT, 1);
            for (int i = 0; i < 200; i++) {
                Host first = lb.chooseHost(key(i));
                Host retry = lb.chooseHost(new Pick(true, 0, first));
                if (p != ClusterConfig.LbPolicy.RANDOM) { // random redraws a bounded number of times
                    assertThat(retry).as(p.yamlName()).isNotSameAs(first);
                }
            }
        }
    }

    /** Result of a bounded-load simulation: the busiest host's peak share of in-flight, keys served off home. */
    record Sim(double hottestShare, double offHome) {
    }

    /**
     * 5 hosts; 200 requests in flight; each step one request ends (oldest first) and a new one arrives: with
     * probability {@code hot} it carries the hot key, else a fresh uniform key. Measures the busiest host's share of
     * the in-flight requests (averaged over steps) and the fraction of requests not served by their key's home host.
     */
    static Sim simulate(ClusterConfig.LbPolicy policy, int factor, double hot) throws Exception {
        List<Host> hs = hosts(5);
        LoadBalancer lb = balancer(policy, hs, new LoadBalancingConfig(factor, 2, 1.0), 1);
        List<Host> shadow = hosts(5); // the same addresses: the same ring or table, without the bound and idle
        LoadBalancer home = balancer(policy, shadow, LoadBalancingConfig.DEFAULT, 1);
        Map<Host, Integer> index = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            index.put(shadow.get(i), i);
        }
        SplittableRandom r = new SplittableRandom(42);
        ArrayDeque<Host> inFlight = new ArrayDeque<>();
        double shareSum = 0;
        long off = 0;
        int steps = 20_000;
        for (int step = 0; step < steps + 1_000; step++) {
            long k = r.nextDouble() < hot ? 0xC0FFEEL : r.nextLong();
            Host h = lb.chooseHost(key(k));
            h.requestStarted();
            inFlight.add(h);
            if (inFlight.size() > 200) {
                inFlight.poll().requestFinished();
            }
            if (step >= 1_000) {
                long max = hs.stream().mapToLong(Host::activeRequests).max().orElse(0);
                shareSum += max / (double) inFlight.size();
                if (index.get(home.chooseHost(key(k))) != hs.indexOf(h)) {
                    off++;
                }
            }
        }
        return new Sim(shareSum / steps, off / (double) steps);
    }

    @Test
    void boundedLoadSpreadsAHotKeysOverflowAndLeavesNormalTrafficHome() throws Exception {
        for (ClusterConfig.LbPolicy p : List.of(ClusterConfig.LbPolicy.RING_HASH, ClusterConfig.LbPolicy.MAGLEV)) {
            Sim unbounded = simulate(p, 0, 0.30);
            Sim bounded = simulate(p, 125, 0.30);
            Sim normal = simulate(p, 125, 0.0);
            System.out.printf("%s, one key with 30%% of traffic over 5 hosts: hottest host's share of in-flight "
                    + "%.3f unbounded, %.3f with hash_balance_factor 125 (bound 1.25 x 1/5 = 0.25); uniform keys: "
                    + "%.4f served off their home host%n", p.yamlName(), unbounded.hottestShare(), bounded.hottestShare(),
                    normal.offHome());
            assertThat(unbounded.hottestShare()).isGreaterThan(0.40); // the hot key's 30% on top of its host's 14%
            assertThat(bounded.hottestShare()).isLessThanOrEqualTo(0.26); // ⌈1.25 × (m+1)/5⌉ / m
            assertThat(normal.offHome()).isLessThan(0.10);
        }
    }

    @Test
    void whenTheLoadsLookFullEverywhereAPickStillEndsQuickly() throws Exception {
        // hosts whose cluster counter is not shared (each sees only itself): every host looks at capacity
        List<Host> hs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Host h = new Host("c", new InetSocketAddress(InetAddress.getByName("10.0.1." + (i + 1)), 80), 1);
            h.requestStarted();
            h.requestStarted();
            hs.add(h);
        }
        for (ClusterConfig.LbPolicy p : List.of(ClusterConfig.LbPolicy.RING_HASH, ClusterConfig.LbPolicy.MAGLEV)) {
            LoadBalancer lb = balancer(p, hs, new LoadBalancingConfig(125, 2, 1.0), 3);
            int[] probes = new int[1];
            LoadBalancerContext counting = new LoadBalancerContext() {
                @Override
                public boolean hasHashKey() {
                    return true;
                }

                @Override
                public long hashKey() {
                    return 77;
                }

                @Override
                public boolean shouldSelectAnotherHost(Host h) {
                    probes[0]++;
                    return false;
                }
            };
            assertThat(lb.chooseHost(counting)).isNotNull();
            // the walk stops once every host was found full: a coupon collector over ring entries or table slots
            // (about 1,200 slots for 50 hosts on Maglev), not the 65,537-slot table or the 200,000-entry ring
            System.out.printf("%s: %d probes with every host looking full%n", p.yamlName(), probes[0]);
            assertThat(probes[0]).as(p.yamlName()).isLessThanOrEqualTo(hs.size() * 40);
        }
    }

    @Test
    void noHostGoesAboveItsCapacity() throws Exception {
        List<Host> hs = hosts(7, 1, 1, 2, 1, 3, 1, 1);
        LoadBalancer lb = balancer(ClusterConfig.LbPolicy.RING_HASH, hs, new LoadBalancingConfig(150, 2, 1.0), 9);
        SplittableRandom r = new SplittableRandom(9);
        ArrayDeque<Host> inFlight = new ArrayDeque<>();
        for (int step = 0; step < 30_000; step++) {
            long k = r.nextInt(10) < 5 ? 1L : r.nextLong(); // half the traffic on one key
            long m = hs.get(0).clusterActiveRequests();
            Host h = lb.chooseHost(key(k));
            long capacity = (long) Math.ceil(1.5 * (m + 1) * h.weight() / 10.0);
            assertThat(h.activeRequests()).as("step %d", step).isLessThan(capacity);
            h.requestStarted();
            inFlight.add(h);
            if (inFlight.size() > 100) {
                inFlight.poll().requestFinished();
            }
        }
    }

    /** The share of {@code picks} picks that went to {@code h}, with a balancer on a fake clock at {@code nowNanos}. */
    private static double shareAt(ClusterConfig.LbPolicy policy, List<Host> hs, Host h, SlowStartConfig slow,
                                  long nowNanos) {
        LoadBalancer lb = LoadBalancerFactory.of(policy, hs, RingHashConfig.DEFAULT,
                new LoadBalancingConfig(0, 2, 1.0, slow), () -> nowNanos).create(new SplittableRandom(11));
        int picks = 40_000;
        int hits = 0;
        for (int i = 0; i < picks; i++) {
            hits += lb.chooseHost(new Pick(false, 0, null)) == h ? 1 : 0;
        }
        return hits / (double) picks;
    }

    @Test
    void slowStartRampsAHostThatCameBackFollowingEnvoysFormula() throws Exception {
        List<Host> hs = hosts(4);
        Host back = hs.get(3);
        long t0 = 1_000_000_000_000L;
        back.beginSlowStart(t0);
        long s = 1_000_000_000L;
        SlowStartConfig linear = new SlowStartConfig(Duration.ofSeconds(10), 1.0, 10);
        // round robin: effective weights 1, 1, 1, f with f = max(0.1, t/10s); share f / (3 + f)
        double[][] expected = {{0, 0.1 / 3.1}, {5, 0.5 / 3.5}, {8, 0.8 / 3.8}, {10, 0.25}, {60, 0.25}};
        for (double[] e : expected) {
            double share = shareAt(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, back, linear, t0 + (long) e[0] * s);
            System.out.printf("round_robin slow start, t=%2.0fs: share %.3f (expected %.3f)%n", e[0], share, e[1]);
            assertThat(share).isCloseTo(e[1], org.assertj.core.data.Offset.offset(0.01));
        }
        // aggression 2: f = (t/window)^(1/2); at 2.5 s of 10 s that is 0.5
        SlowStartConfig aggressive = new SlowStartConfig(Duration.ofSeconds(10), 2.0, 10);
        assertThat(shareAt(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, back, aggressive, t0 + 2_500_000_000L))
                .isCloseTo(0.5 / 3.5, org.assertj.core.data.Offset.offset(0.01));
        // the others share the rest evenly
        for (Host other : hs.subList(0, 3)) {
            assertThat(shareAt(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, other, linear, t0 + 5 * s))
                    .isCloseTo(1 / 3.5, org.assertj.core.data.Offset.offset(0.01));
        }
        // a host that never went unhealthy is not ramped, and without slow_start_config nothing is
        assertThat(shareAt(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, hs.get(0), linear, t0)).isGreaterThan(0.3);
        assertThat(shareAt(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, back, null, t0)).isEqualTo(0.25);

        // least_request, all idle: draws by effective weight, ties to the first drawn, so the same ramp as round robin
        double early = shareAt(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, back, linear, t0 + s);
        double mid = shareAt(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, back, linear, t0 + 5 * s);
        double after = shareAt(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, back, linear, t0 + 11 * s);
        System.out.printf("least_request slow start: share %.3f at 1 s, %.3f at 5 s, %.3f after the window%n", early, mid, after);
        assertThat(early).isCloseTo(0.1 / 3.1, org.assertj.core.data.Offset.offset(0.01));
        assertThat(mid).isCloseTo(0.5 / 3.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(after).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
        // busy: the ramping host drawn against a busier one still wins (load decides), so it is not starved
        hs.get(0).requestStarted();
        hs.get(1).requestStarted();
        hs.get(2).requestStarted();
        double busy = shareAt(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, back, linear, t0 + 5 * s);
        System.out.printf("least_request slow start at 5 s, the other hosts busy: share %.3f%n", busy);
        assertThat(busy).isGreaterThan(mid);
    }

    @Test
    void onceEveryWindowHasPassedSlowStartCostsNothing() throws Exception {
        List<Host> hs = hosts(3);
        long[] now = {5_000_000_000L};
        int[] clockReads = {0};
        hs.get(2).beginSlowStart(now[0]);
        LoadBalancer lb = LoadBalancerFactory.of(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, RingHashConfig.DEFAULT,
                new LoadBalancingConfig(0, 2, 1.0, new SlowStartConfig(Duration.ofSeconds(1), 1.0, 10)), () -> {
                    clockReads[0]++;
                    return now[0];
                }).create(new SplittableRandom(3));
        for (int i = 0; i < 1_000; i++) {
            lb.chooseHost(NO_KEY);
        }
        assertThat(clockReads[0]).as("the clock is sampled, not read per pick").isBetween(1, 1_000 / 16 + 1);
        now[0] += 2_000_000_000L; // the window is over
        for (int i = 0; i < 1_000; i++) {
            lb.chooseHost(NO_KEY);
        }
        int readsAtEnd = clockReads[0];
        java.util.Map<Host, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(lb.chooseHost(NO_KEY), 1, Integer::sum);
        }
        assertThat(clockReads[0]).as("no clock read once the window passed").isEqualTo(readsAtEnd);
        assertThat(counts.values()).containsOnly(100); // plain round robin again
    }

    @Test
    void aRetryThatTriedEveryHostOfItsLevelMovesToTheNextLevel() throws Exception {
        List<Host> hs = hosts(3);
        ClusterConfig c = new ClusterConfig("c", List.of(), ClusterConfig.LbPolicy.ROUND_ROBIN, RingHashConfig.DEFAULT,
                Duration.ofSeconds(1), io.outrigger.config.ConnectionPoolConfig.DEFAULT, null, null, null,
                io.outrigger.config.CircuitBreakersConfig.DEFAULT, null, ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL,
                LoadBalancingConfig.DEFAULT);
        java.util.concurrent.atomic.LongAdder[] picks = {new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder()};
        java.util.concurrent.atomic.LongAdder failovers = new java.util.concurrent.atomic.LongAdder();
        LoadBalancer lb = LoadBalancerFactory.ofLevels(List.of(c, c), List.of(hs.subList(0, 2), hs.subList(2, 3)),
                new int[] {100, 0}, picks, failovers).create(new SplittableRandom(5));
        for (int i = 0; i < 100; i++) {
            assertThat(lb.chooseHost(NO_KEY)).isIn(hs.get(0), hs.get(1)); // level 1 has no traffic
        }
        java.util.Set<Host> tried = java.util.Set.of(hs.get(0), hs.get(1));
        LoadBalancerContext retry = new LoadBalancerContext() {
            @Override
            public boolean hasHashKey() {
                return false;
            }

            @Override
            public long hashKey() {
                return 0;
            }

            @Override
            public boolean shouldSelectAnotherHost(Host h) {
                return tried.contains(h);
            }
        };
        assertThat(lb.chooseHost(retry)).isSameAs(hs.get(2)); // both preferred hosts failed: the standby
        assertThat(picks[0].sum()).isEqualTo(100);
        assertThat(picks[1].sum()).isEqualTo(1);
        assertThat(failovers.sum()).isEqualTo(1); // only the retry's pick left its drawn level
    }
}
