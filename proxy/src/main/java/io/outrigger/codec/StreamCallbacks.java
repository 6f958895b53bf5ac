package io.outrigger.codec;

/**
 * Events of one stream that are not messages: its reset, and the watermarks of its write side
 * (Envoy's {@code StreamCallbacks}). Registered on a {@link Stream}; called on the stream's event loop.
 */
public interface StreamCallbacks {
    /**
     * The stream is gone; no further calls of either direction follow.
     *
     * @param detail a short human-readable cause, for logs
     */
    void onResetStream(StreamResetReason reason, String detail);

    /**
     * The stream's write side buffers more than its high watermark (socket or flow-control window full):
     * stop producing for it until {@link #onBelowWriteBufferLowWatermark()}.
     */
    void onAboveWriteBufferHighWatermark();

    /** The stream's write side drained below its low watermark: producing may resume. */
    void onBelowWriteBufferLowWatermark();
}
