package io.outrigger.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;

/** The request direction of a stream: decoder filters in config order, the router last. */
final class DecoderIteration extends FilterIteration {
    private final StreamDecoderFilter[] filters;
    private final ActiveStream stream;

    DecoderIteration(StreamDecoderFilter[] filters, long bufferLimit, ActiveStream stream) {
        super(filters.length, bufferLimit);
        this.filters = filters;
        this.stream = stream;
    }

    @Override
    Outcome invoke(int i, Frame f) {
        StreamDecoderFilter filter = filters[i];
        boolean go = switch (f.kind) {
            case HEADERS -> filter.decodeHeaders((HttpRequest) f.message, f.endStream) == FilterHeadersStatus.CONTINUE;
            case DATA -> filter.decodeData(f.data, f.endStream) == FilterDataStatus.CONTINUE;
            case TRAILERS -> filter.decodeTrailers(f.trailers) == FilterTrailersStatus.CONTINUE;
        };
        return go ? Outcome.CONTINUE : Outcome.STOP;
    }

    @Override
    void terminal(Frame f) {
        // The router (the last filter) retained what it forwarded upstream.
        if (f.data != null) {
            f.data.release();
        }
    }

    @Override
    void onBufferOverflow() {
        stream.sendLocalReply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large to buffer",
                ResponseFlag.LOCAL_RESET, null);
    }
}
