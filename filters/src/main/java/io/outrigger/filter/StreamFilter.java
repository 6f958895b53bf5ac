package io.outrigger.filter;

/** A filter on both the request and the response of a stream. */
public interface StreamFilter extends StreamDecoderFilter, StreamEncoderFilter {
    @Override
    default void onDestroy() {
    }
}
