package io.outrigger.codec;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator for {@code EmbeddedChannel} tests that remembers every buffer it hands out, so a test can assert that
 * nothing is left unreleased at its end — at once, not when the GC and Netty's leak detector get round to it (a fuzz
 * target needs the failure on the input that caused it). Not thread-safe: one channel, one thread.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();
    private final List<Throwable> sites = new ArrayList<>();
    private final boolean recordSites;

    /** Without allocation sites (fast enough for fuzzing). */
    public TrackingAllocator() {
        this(false);
    }

    /** @param recordSites keep each allocation's stack trace for {@link #unreleasedSites()} (slow) */
    public TrackingAllocator(boolean recordSites) {
        super(false);
        this.recordSites = recordSites;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(b);
        sites.add(recordSites ? new Throwable("allocated here") : null);
        return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(b);
        sites.add(recordSites ? new Throwable("allocated here") : null);
        return b;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** The unreleased buffers, with where each was allocated when sites are recorded (for a failing test's message). */
    public String unreleasedSites() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < allocated.size(); i++) {
            if (allocated.get(i).refCnt() > 0) {
                b.append(allocated.get(i)).append('\n');
                if (sites.get(i) != null) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    sites.get(i).printStackTrace(new java.io.PrintWriter(w));
                    b.append(w);
                }
            }
        }
        return b.toString();
    }

    /** Buffers handed out and not released to a reference count of 0. */
    public int unreleased() {
        int n = 0;
        for (ByteBuf b : allocated) {
            n += b.refCnt() > 0 ? 1 : 0;
        }
        return n;
    }
}
