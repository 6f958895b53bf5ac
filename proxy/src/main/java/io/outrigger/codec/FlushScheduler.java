package io.outrigger.codec;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * Coalesces a channel's flushes to one per event-loop iteration: codecs write without flushing and call
 * {@link #flushLater()}; the flush runs once after the iteration's I/O and tasks, so every frame produced while
 * handling one read batch — on any connection — leaves in one syscall per channel. This is what keeps the proxy
 * core free of flush decisions. The channels of one event loop share one batch and one Netty tail task per
 * iteration, so a request costs no queue operation of its own. On an event loop without tail tasks (tests'
 * {@code EmbeddedEventLoop}) it flushes at once.
 */
public final class FlushScheduler {
    private static final FastThreadLocal<Batch> BATCH = new FastThreadLocal<>();

    private final Channel channel;
    private final boolean deferred;
    private boolean pending;

    public FlushScheduler(Channel channel) {
        this.channel = channel;
        EventLoop l = channel.eventLoop();
        this.deferred = l instanceof SingleThreadEventLoop;
    }

    /** Flushes the channel at the end of the current event-loop iteration (once, however often called). */
    public void flushLater() {
        if (!deferred) {
            channel.flush();
            return;
        }
        if (!pending) {
            pending = true;
            Batch b = BATCH.get();
            if (b == null) {
                b = new Batch((SingleThreadEventLoop) channel.eventLoop());
                BATCH.set(b);
            }
            b.add(this);
        }
    }

    private void flushNow() {
        pending = false;
        channel.flush();
    }

    /** The channels of one event loop waiting for the end of the iteration. */
    private static final class Batch implements Runnable {
        private final SingleThreadEventLoop loop;
        private ArrayList<FlushScheduler> channels = new ArrayList<>();
        private ArrayList<FlushScheduler> flushing = new ArrayList<>();
        private boolean scheduled;

        Batch(SingleThreadEventLoop loop) {
            this.loop = loop;
        }

        void add(FlushScheduler f) {
            channels.add(f);
            if (!scheduled) {
                scheduled = true;
                loop.executeAfterEventLoopIteration(this);
            }
        }

        @Override
        public void run() {
            scheduled = false;
            // flushing may write more (listeners): those join the other list, flushed next iteration
            ArrayList<FlushScheduler> now = channels;
            channels = flushing;
            flushing = now;
            for (int i = 0; i < now.size(); i++) {
                now.get(i).flushNow();
            }
            now.clear();
        }
    }
}
