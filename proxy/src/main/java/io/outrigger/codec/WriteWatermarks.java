package io.outrigger.codec;

/**
 * Turns a stream's writability, as the codec sees it change (channel writability, HTTP/2 flow-control window),
 * into exactly one {@link StreamCallbacks} watermark event per transition. Shared by every codec's stream, which
 * keeps the one bit of state in a field of its own ({@code above}: reported above the high watermark), so a
 * stream costs no extra object.
 */
public final class WriteWatermarks {
    private WriteWatermarks() {
    }

    /**
     * Reports a transition, if there is one.
     *
     * @param above     whether the stream was last reported above its high watermark ({@code false} at first)
     * @param writable  whether the stream's write side is below its high watermark now
     * @param callbacks the stream's callbacks; {@code null} (none registered yet): nothing is reported
     * @return the stream's new {@code above}, to store
     */
    public static boolean update(boolean above, boolean writable, StreamCallbacks callbacks) {
        if (callbacks == null || writable != above) {
            return above; // no transition
        }
        if (writable) {
            callbacks.onBelowWriteBufferLowWatermark();
        } else {
            callbacks.onAboveWriteBufferHighWatermark();
        }
        return !writable;
    }
}
