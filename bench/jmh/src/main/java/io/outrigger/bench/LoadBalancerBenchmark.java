package io.outrigger.bench;

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

/** Host selection by hash key: ring hash (binary search) and Maglev (one array read), at 10/100/1000 hosts. */
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
    long[] keys = new long[4096];
    int i;

    @Setup
    public void setup() throws Exception {
        List<Host> hs = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            hs.add(new Host("c", new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, (byte) (h >> 8), (byte) h}), 8080), 1));
        }
        ring = HashRing.build(hs, 4096, 1024, 1 << 20);
        maglev = MaglevTable.build(hs, MaglevTable.DEFAULT_TABLE_SIZE);
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
    public long hashKeyOfHeaderValue() {
        return HashRing.hashKey(("user-" + (i++ & 4095)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
