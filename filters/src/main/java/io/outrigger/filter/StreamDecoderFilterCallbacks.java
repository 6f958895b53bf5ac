package io.outrigger.filter;

/** Callbacks for a request-side (decoder) filter. */
public interface StreamDecoderFilterCallbacks extends StreamFilterCallbacks {
    /** Resumes the request after this filter returned a {@code STOP_ITERATION*} status. */
    void continueDecoding();

    /**
     * Sets how many request body bytes the filter manager may hold for this stream while filters stop it (Envoy's
     * {@code setDecoderBufferLimit}); past it the request gets 413. A filter that buffers whole bodies raises it.
     *
     * @param bytes the new bound
     */
    default void setDecoderBufferLimit(long bytes) {
    }

    /**
     * Replaces the request body chunk being decoded — the one passed to the current {@code decodeData} call — with
     * {@code data} (a decompressor's output, say); the old chunk is released here.
     *
     * @param data ownership passes to the filter manager
     * @throws IllegalStateException outside a {@code decodeData} call ({@code data} is released)
     */
    default void replaceDecodingData(io.netty.buffer.ByteBuf data) {
        data.release();
        throw new IllegalStateException("not supported here");
    }
}
