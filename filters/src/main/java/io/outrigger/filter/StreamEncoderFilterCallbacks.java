package io.outrigger.filter;

/** Callbacks for a response-side (encoder) filter. */
public interface StreamEncoderFilterCallbacks extends StreamFilterCallbacks {
    /** Resumes the response after this filter returned a {@code STOP_ITERATION*} status. */
    void continueEncoding();
}
