package io.outrigger.codec.http3;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;

/**
 * Whether a QUIC stream can take more of a response now: the frames handed to its channel that QUIC has not accepted
 * yet, counted through their write promises, and the channel's own writability (the stream's send capacity: its
 * and the connection's flow-control credit, RFC 9000 §4.1).
 *
 * <p>The channel's writability alone is not enough: Netty's QUIC stream channel (4.2.18) reports itself writable
 * again as soon as a queued frame was accepted, while later frames still wait in its queue for credit
 * ({@code QuicheQuicStreamChannel.writeQueued}); a proxy that resumed reading its upstream on that event kept
 * queueing frames faster than the client's credit drained them — tens of MiB of direct memory on a 64 MiB download.
 * Here the stream is writable only once every frame handed over was accepted and the channel has credit left.
 * Each transition back to writable calls {@code onWritable}. Confined to the stream's event loop.
 */
final class QuicSendBacklog {
    private final Channel channel;
    private final Runnable onWritable;
    private final ChannelFutureListener accepted = f -> frameAccepted();
    /** Frames written and not yet accepted by QUIC (their promises not done). */
    private int pending;

    /**
     * @param channel    the QUIC stream's channel
     * @param onWritable run when the last pending frame was accepted (or failed), from the write's promise
     */
    QuicSendBacklog(Channel channel, Runnable onWritable) {
        this.channel = channel;
        this.onWritable = onWritable;
    }

    /** A promise for the next frame written to the channel; the frame counts as pending until it completes. */
    ChannelPromise track() {
        pending++;
        ChannelPromise promise = channel.newPromise();
        promise.addListener(accepted);
        return promise;
    }

    private void frameAccepted() {
        if (--pending == 0) {
            onWritable.run();
        }
    }

    /** True when no frame waits for QUIC to accept it and the stream has send capacity. */
    boolean writable() {
        return pending == 0 && channel.isWritable();
    }
}
