package io.outrigger.overload;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The heap's pressure for the overload manager: bytes in use after the latest garbage collection over the maximum
 * heap ({@code -Xmx}), read when asked, from the heap's memory pools.
 *
 * <p>A young pool (one that supports no usage threshold: eden and survivor spaces, HotSpot's {@code MemoryPool}) counts
 * with its usage after the latest collection ({@link MemoryPoolMXBean#getCollectionUsage}); any other heap pool (the
 * old generation, or the single pool of a one-generation collector) with its usage now — objects only reach an old
 * generation during a collection, so between collections its usage is what the latest one left, plus objects too
 * large for the young generation. With ZGC's single pool the reading includes garbage made since its latest cycle: it
 * errs high.
 *
 * <p>It was read from the collectors' JMX notifications, one per collection: under load (a young collection every
 * ~50 ms with {@code -Xmx64m}) each built a {@code GcInfo} of open-type {@code CompositeData} and {@code TabularData}
 * with {@code ObjectName}s, delivered on a notification thread (90 ms of CPU per million HTTP/1.1 requests), and that
 * code became hot enough to be compiled by C2 a minute into the load ({@code ObjectName.construct} alone: 0.58 s of
 * compile time). Reading the pools costs a native call per pool per refresh.
 */
final class HeapAfterGc implements DoubleSupplier {
    private final long max;
    private final List<MemoryPoolMXBean> young = new ArrayList<>();
    private final List<MemoryPoolMXBean> old = new ArrayList<>();

    /** The running JVM's heap pools and {@link Runtime#maxMemory()}. */
    HeapAfterGc() {
        this(ManagementFactory.getMemoryPoolMXBeans(), Runtime.getRuntime().maxMemory());
    }

    /**
     * @param pools    memory pools (non-heap ones are ignored)
     * @param maxBytes the maximum heap in bytes; zero or less: the pressure is always 0
     */
    HeapAfterGc(List<MemoryPoolMXBean> pools, long maxBytes) {
        this.max = maxBytes;
        for (MemoryPoolMXBean p : pools) {
            if (p.getType() != MemoryType.HEAP || !p.isValid()) {
                continue;
            }
            (p.isUsageThresholdSupported() ? old : young).add(p);
        }
    }

    /** Bytes in use after the latest collection over the maximum heap: 0 to 1 (above 1 only if the pools say so). */
    @Override
    public double getAsDouble() {
        if (max <= 0) {
            return 0;
        }
        long used = 0;
        for (int i = 0; i < young.size(); i++) {
            MemoryUsage u = young.get(i).getCollectionUsage();
            used += u == null ? 0 : u.getUsed();
        }
        for (int i = 0; i < old.size(); i++) {
            used += old.get(i).getUsage().getUsed();
        }
        return (double) used / max;
    }
}
