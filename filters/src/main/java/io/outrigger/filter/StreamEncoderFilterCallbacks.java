package io.outrigger.filter;

/** Callbacks for a response-side (encoder) filter. */
public interface StreamEncoderFilterCallbacks extends StreamFilterCallbacks {
    /** Resumes the response after this filter returned a {@code STOP_ITERATION*} status. */
    void continueEncoding();

    /**
     * Replaces the response body chunk being encoded — the one passed to the current {@code encodeData} call — with
     * {@code data}, which the filters after this one and the downstream get instead (a compressor's output, say). The
     * old chunk is released here.
     *
     * @param data ownership passes to the filter manager
     * @throws IllegalStateException outside an {@code encodeData} call ({@code data} is released)
     */
    default void replaceEncodingData(io.netty.buffer.ByteBuf data) {
        data.release();
        throw new IllegalStateException("not supported here");
    }

    /**
     * From {@code encodeTrailers}: adds body bytes that go to the filters after this one and downstream before the
     * trailers (Envoy's {@code addEncodedData}) — a compressor's last bytes, say. Once per trailers call.
     *
     * @param data ownership passes to the filter manager
     * @throws IllegalStateException outside an {@code encodeTrailers} call ({@code data} is released)
     */
    default void addEncodedDataBeforeTrailers(io.netty.buffer.ByteBuf data) {
        data.release();
        throw new IllegalStateException("not supported here");
    }
}
