package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body kept so that a retry can send it again (Envoy's {@code per_request_buffer_limit_bytes}):
 * retained duplicates of the chunks, up to a limit. Past the limit the body is streamed and can no longer be
 * replayed. Confined to the stream's event loop.
 *
 * <p>Buffers: every kept chunk is a retained duplicate owned here, released by {@link #release()}; a chunk handed
 * to an attempt is another retained duplicate, owned by the attempt.
 */
final class ReplayBuffer {
    /** The kept chunks; {@code null} until the first (most requests have no body: nothing to allocate). */
    private List<ByteBuf> chunks;
    private long bytes;
    private boolean replayable = true;

    /**
     * Keeps a copy of {@code data} (the caller still owns {@code data}).
     *
     * @param limitBytes the most the buffer may hold
     * @return {@code false} exactly once: when this chunk made the body outgrow the limit (the buffer is released and
     *         the request is no longer replayable)
     */
    boolean keep(ByteBuf data, long limitBytes) {
        if (!replayable) {
            return true;
        }
        if (bytes + data.readableBytes() > limitBytes) {
            release();
            replayable = false;
            return false;
        }
        if (chunks == null) {
            chunks = new ArrayList<>(2);
        }
        chunks.add(data.retainedDuplicate());
        bytes += data.readableBytes();
        return true;
    }

    /** Whether the whole body seen so far is kept (a retry can send it again). */
    boolean replayable() {
        return replayable;
    }

    boolean isEmpty() {
        return chunks == null || chunks.isEmpty();
    }

    /**
     * Sends the kept chunks to a new attempt.
     *
     * @param lastEndsRequest whether the last chunk is the end of the request (no trailers follow, the body is complete)
     */
    void sendTo(UpstreamRequest attempt, boolean lastEndsRequest) {
        if (chunks == null) {
            return;
        }
        for (int i = 0; i < chunks.size(); i++) {
            attempt.sendData(chunks.get(i).retainedDuplicate(), lastEndsRequest && i == chunks.size() - 1);
        }
    }

    /** Drops the kept chunks (a response started, or the stream ended). */
    void release() {
        if (chunks != null) {
            for (int i = 0; i < chunks.size(); i++) {
                chunks.get(i).release();
            }
            chunks.clear();
        }
        bytes = 0;
    }
}
