package io.outrigger.filter;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request-side HTTP filter (Envoy's {@code StreamDecoderFilter}). One instance per stream, called on
 * the stream's event loop, in the listener's {@code http_filters} order; the router comes last.
 *
 * <p>Body chunks stream through: a filter sees each chunk once and never the whole body unless it
 * buffers ({@link FilterDataStatus#STOP_ITERATION_AND_BUFFER}).
 *
 * <p>Envoy's iteration rules: after a filter returns {@code STOP_ITERATION} from {@code decodeHeaders}, the body chunks
 * and trailers that follow still reach it (and the filters before it), and wait behind the headers. Returning
 * {@code CONTINUE} from such a later callback continues the headers too; a filter that keeps waiting (a timer, an
 * answer from elsewhere) returns {@code STOP_ITERATION_AND_BUFFER} / {@code STOP_ITERATION} there and calls
 * {@code continueDecoding()} when done.
 */
public interface StreamDecoderFilter {
    /** Called once before any other callback. */
    default void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
    }

    /**
     * The request line and headers. The filter may change the method, URI and headers in place.
     *
     * @param request   the request (its headers are Netty's {@link HttpHeaders}); owned by the stream
     * @param endStream true when the request has no body and no trailers
     */
    default FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        return FilterHeadersStatus.CONTINUE;
    }

    /**
     * A request body chunk.
     *
     * @param data      the chunk; owned by the filter manager: the filter may read or modify it in place
     *                  but must not release or keep it past the call
     * @param endStream true on the last chunk when no trailers follow
     */
    default FilterDataStatus decodeData(ByteBuf data, boolean endStream) {
        return FilterDataStatus.CONTINUE;
    }

    /** Request trailers (always the end of the request). */
    default FilterTrailersStatus decodeTrailers(HttpHeaders trailers) {
        return FilterTrailersStatus.CONTINUE;
    }

    /** The stream ended (completed or reset); release anything held. Called exactly once. */
    default void onDestroy() {
    }
}
