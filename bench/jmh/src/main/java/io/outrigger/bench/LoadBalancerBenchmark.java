package io.outrigger.bench;

import io.outrigger.config.ClusterConfig;
import io.outrigger.config.LoadBalancingConfig;
import io.outrigger.config.RingHashConfig;
import io.outrigger.upstream.lb.LoadBalancer;
import io.outrigger.upstream.lb.LoadBalancerContext;
import io.outrigger.upstream.lb.LoadBalancerFactory;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.lb.HashRing;
import io.outrigger.upstream.lb.MaglevTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Host selection at 10/100/1000 hosts: by hash key — ring hash (binary search), Maglev (one array read), both with
 * {@code hash_balance_factor: 125} at normal load (every host with 2 requests in flight) — and {@code least_request}
 * (two weighted draws, two LongAdder reads).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LoadBalancerBenchmark {
    @Param({"10", "100", "1000"})
    int hosts;

    HashRing ring;
    MaglevTable maglev;
    LoadBalancer ringBounded;
    LoadBalancer maglevBounded;
    LoadBalancer leastRequest;
    LoadBalancer roundRobinSlowStart;
    LoadBalancer roundRobinSlowStartOver;
    LoadBalancer leastRequestSlowStart;
    final KeyContext context = new KeyContext();

    /** A reusable context carrying the next key. */
    static final class KeyContext implements LoadBalancerContext {
        long key;

        @Override
        public boolean hasHashKey() {
            return true;
        }

        @Override
        public long hashKey() {
            return key;
        }
    }
    long[] keys = new long[4096];
    int i;

    @Setup
    public void setup() throws Exception {
        List<Host> hs = new ArrayList<>();
        java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder(); // the cluster's
        for (int h = 0; h < hosts; h++) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, (byte) (h >> 8), (byte) h}), 8080);
            hs.add(new Host("c", a.getAddress().getHostAddress(), a, 1, inFlight));
        }
        ring = HashRing.build(hs, 4096, 1024, 1 << 20);
        maglev = MaglevTable.build(hs, MaglevTable.DEFAULT_TABLE_SIZE);
        for (Host h : hs) {
            h.requestStarted();
            h.requestStarted();
        }
        LoadBalancingConfig bounded = new LoadBalancingConfig(125, 2, 1.0);
        ringBounded = LoadBalancerFactory.of(ClusterConfig.LbPolicy.RING_HASH, hs,
                new RingHashConfig(1024, 1 << 20, 4096), bounded).create(new SplittableRandom(2));
        maglevBounded = LoadBalancerFactory.of(ClusterConfig.LbPolicy.MAGLEV, hs, RingHashConfig.DEFAULT, bounded)
                .create(new SplittableRandom(3));
        leastRequest = LoadBalancerFactory.of(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, RingHashConfig.DEFAULT,
                LoadBalancingConfig.DEFAULT).create(new SplittableRandom(4));
        // slow start: one host came back healthy just now (a one-hour window keeps it ramping through the run)
        hs.get(0).beginSlowStart(System.nanoTime());
        LoadBalancingConfig slow = new LoadBalancingConfig(0, 2, 1.0,
                new io.outrigger.config.SlowStartConfig(java.time.Duration.ofHours(1), 1.0, 10));
        roundRobinSlowStart = LoadBalancerFactory.of(ClusterConfig.LbPolicy.ROUND_ROBIN, hs, RingHashConfig.DEFAULT, slow)
                .create(new SplittableRandom(5));
        // slow_start_config set, no host ramping (the steady state): must cost what plain round robin costs
        java.util.List<Host> steady = hs.subList(1, hs.size());
        roundRobinSlowStartOver = LoadBalancerFactory.of(ClusterConfig.LbPolicy.ROUND_ROBIN, steady, RingHashConfig.DEFAULT,
                slow).create(new SplittableRandom(7));
        leastRequestSlowStart = LoadBalancerFactory.of(ClusterConfig.LbPolicy.LEAST_REQUEST, hs, RingHashConfig.DEFAULT, slow)
                .create(new SplittableRandom(6));
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < keys.length; k++) {
            keys[k] = r.nextLong();
        }
    }

    @Benchmark
    public Host ringHashPick() {
        return ring.lookup(keys[i++ & 4095]);
    }

    @Benchmark
    public Host maglevPick() {
        return maglev.lookup(keys[i++ & 4095]);
    }

    @Benchmark
    public Host ringHashBoundedLoadPick() {
        context.key = keys[i++ & 4095];
        return ringBounded.chooseHost(context);
    }

    @Benchmark
    public Host maglevBoundedLoadPick() {
        context.key = keys[i++ & 4095];
        return maglevBounded.chooseHost(context);
    }

    @Benchmark
    public Host leastRequestPick() {
        return leastRequest.chooseHost(context);
    }

    /** Round robin while a host ramps up: a weighted draw over effective weights refreshed every 10 ms. */
    @Benchmark
    public Host roundRobinSlowStartPick() {
        return roundRobinSlowStart.chooseHost(context);
    }

    /** slow_start_config set and no host in its window. */
    @Benchmark
    public Host roundRobinSlowStartConfiguredPick() {
        return roundRobinSlowStartOver.chooseHost(context);
    }

    @Benchmark
    public Host leastRequestSlowStartPick() {
        return leastRequestSlowStart.chooseHost(context);
    }

    @Benchmark
    public long hashKeyOfHeaderValue() {
        return HashRing.hashKey(("user-" + (i++ & 4095)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
