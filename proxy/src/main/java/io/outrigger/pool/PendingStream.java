package io.outrigger.pool;

import io.outrigger.codec.ResponseDecoder;
import io.outrigger.upstream.ClusterResources;
import java.util.ArrayDeque;

/**
 * A stream request waiting in a pool's FIFO for a connection; it holds one of the cluster's pending-request slots
 * until it is served, failed or withdrawn. Confined to the pool's event loop.
 */
final class PendingStream implements Cancellable {
    final ResponseDecoder decoder;
    final PoolCallbacks callbacks;
    private final ArrayDeque<PendingStream> queue;
    private final ClusterResources resources;

    PendingStream(ResponseDecoder decoder, PoolCallbacks callbacks, ArrayDeque<PendingStream> queue,
                  ClusterResources resources) {
        this.decoder = decoder;
        this.callbacks = callbacks;
        this.queue = queue;
        this.resources = resources;
    }

    @Override
    public void cancel() {
        if (queue.remove(this)) {
            resources.releasePending();
        }
    }
}
