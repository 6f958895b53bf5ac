package io.outrigger.filter;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * A response-side HTTP filter (Envoy's {@code StreamEncoderFilter}). One instance per stream, called
 * on the stream's event loop, in reverse {@code http_filters} order. Locally generated replies pass
 * through encoder filters too.
 */
public interface StreamEncoderFilter {
    /** Called once before any other callback. */
    default void setEncoderFilterCallbacks(StreamEncoderFilterCallbacks callbacks) {
    }

    /**
     * The response status and headers, which the filter may change in place.
     *
     * @param endStream true when the response has no body and no trailers
     */
    default FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        return FilterHeadersStatus.CONTINUE;
    }

    /**
     * A response body chunk; owned by the filter manager, as in {@link StreamDecoderFilter#decodeData}.
     */
    default FilterDataStatus encodeData(ByteBuf data, boolean endStream) {
        return FilterDataStatus.CONTINUE;
    }

    /** Response trailers. */
    default FilterTrailersStatus encodeTrailers(HttpHeaders trailers) {
        return FilterTrailersStatus.CONTINUE;
    }

    /** The stream ended; called exactly once (also for filters that are only encoders). */
    default void onDestroy() {
    }
}
