package io.outrigger.filter;

/** What a filter returns from a body callback (Envoy's {@code FilterDataStatus}). */
public enum FilterDataStatus {
    /** Pass the chunk on to the next filter. */
    CONTINUE,
    /**
     * Keep this chunk (and later ones) buffered by the filter manager, and stop, until the filter calls
     * {@code continueDecoding()}/{@code continueEncoding()}. The buffer is bounded; overflowing it ends
     * the stream with 413 (request) or 500 (response).
     */
    STOP_ITERATION_AND_BUFFER
}
