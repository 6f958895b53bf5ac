package io.outrigger.filter;

/** Receives the per-stream filter instances a {@link FilterFactory} creates. */
public interface FilterChainBuilder {
    void addDecoderFilter(StreamDecoderFilter filter);

    void addEncoderFilter(StreamEncoderFilter filter);

    /** Adds a filter as both decoder and encoder. */
    default void addStreamFilter(StreamFilter filter) {
        addDecoderFilter(filter);
        addEncoderFilter(filter);
    }
}
