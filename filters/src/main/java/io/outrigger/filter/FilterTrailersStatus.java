package io.outrigger.filter;

/** What a filter returns from a trailers callback. */
public enum FilterTrailersStatus {
    /** Pass the trailers on. */
    CONTINUE,
    /** Hold the trailers until the filter calls {@code continueDecoding()}/{@code continueEncoding()}. */
    STOP_ITERATION
}
