package io.outrigger.filter;

/** What a filter returns from a headers callback (Envoy's {@code FilterHeadersStatus}). */
public enum FilterHeadersStatus {
    /** Pass the headers on to the next filter. */
    CONTINUE,
    /**
     * Do not pass the headers (nor body or trailers) further until the filter calls
     * {@code continueDecoding()}/{@code continueEncoding()}; later body chunks are buffered meanwhile
     * (bounded by the listener's buffer limit).
     */
    STOP_ITERATION
}
