package io.outrigger.codec;

/**
 * Turns a stream's writability, as the codec sees it change (channel writability, HTTP/2 flow-control window),
 * into exactly one {@link StreamCallbacks} watermark event per transition. Shared by every codec's stream.
 */
public final class WriteWatermarks {
    private boolean above;

    /**
     * @param writable  whether the stream's write side is below its high watermark now
     * @param callbacks the stream's callbacks; {@code null} (none registered yet): nothing is reported
     */
    public void update(boolean writable, StreamCallbacks callbacks) {
        if (callbacks == null || writable != above) {
            return; // no transition
        }
        above = !writable;
        if (writable) {
            callbacks.onBelowWriteBufferLowWatermark();
        } else {
            callbacks.onAboveWriteBufferHighWatermark();
        }
    }
}
