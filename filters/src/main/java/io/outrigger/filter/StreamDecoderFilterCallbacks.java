package io.outrigger.filter;

/** Callbacks for a request-side (decoder) filter. */
public interface StreamDecoderFilterCallbacks extends StreamFilterCallbacks {
    /** Resumes the request after this filter returned a {@code STOP_ITERATION*} status. */
    void continueDecoding();
}
