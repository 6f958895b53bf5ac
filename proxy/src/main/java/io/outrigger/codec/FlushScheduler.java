package io.outrigger.codec;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;

/**
 * Coalesces a channel's flushes to one per event-loop iteration: codecs write without flushing and call
 * {@link #flushLater()}; the flush runs once after the iteration's I/O and tasks (Netty's tail tasks), so
 * every frame produced while handling one read batch — on any connection — leaves in one syscall. This
 * is what keeps the proxy core free of flush decisions. On an event loop without tail tasks (tests'
 * {@code EmbeddedEventLoop}) it flushes at once.
 */
public final class FlushScheduler implements Runnable {
    private final Channel channel;
    private final SingleThreadEventLoop loop;
    private boolean scheduled;

    public FlushScheduler(Channel channel) {
        this.channel = channel;
        EventLoop l = channel.eventLoop();
        this.loop = l instanceof SingleThreadEventLoop s ? s : null;
    }

    /** Flushes the channel at the end of the current event-loop iteration (once, however often called). */
    public void flushLater() {
        if (loop == null) {
            channel.flush();
            return;
        }
        if (!scheduled) {
            scheduled = true;
            loop.executeAfterEventLoopIteration(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        channel.flush();
    }
}
