package io.outrigger.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The heap reading against this JVM's own memory pools and collections (whichever collector the tests run on). */
class HeapAfterGcTest {
    private static final long MIB = 1024 * 1024;
    private static final long MAX = Runtime.getRuntime().maxMemory();

    private static long usedAfterGc(HeapAfterGc heap) {
        return Math.round(heap.getAsDouble() * MAX);
    }

    @Test
    void liveDataCountsAfterACollectionAndGarbageMadeSinceDoesNot() {
        HeapAfterGc heap = new HeapAfterGc(ManagementFactory.getMemoryPoolMXBeans(), MAX);
        System.gc();
        long base = usedAfterGc(heap);

        List<byte[]> live = new ArrayList<>();
        for (int i = 0; i < 48 * 1024; i++) {
            live.add(new byte[1024]); // 48 MiB in small arrays: young objects that survive into the old generation
        }
        System.gc();
        long withLive = usedAfterGc(heap);
        assertThat(withLive - base).isGreaterThan(40 * MIB);

        long sink = 0;
        for (int i = 0; i < 32 * 1024; i++) {
            sink += new byte[1024].length; // 32 MiB of garbage, none of it reachable
        }
        assertThat(sink).isEqualTo(32 * MIB);
        assertThat(usedAfterGc(heap) - withLive).isLessThan(8 * MIB); // a young collection on the way may move a little

        live.clear();
        System.gc();
        assertThat(withLive - usedAfterGc(heap)).isGreaterThan(40 * MIB);
    }

    @Test
    void noMaximumMeansNoPressure() {
        assertThat(new HeapAfterGc(ManagementFactory.getMemoryPoolMXBeans(), 0).getAsDouble()).isZero();
    }
}
