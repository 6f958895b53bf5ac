package io.outrigger.http;

import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamEncoderFilter;

/** The response direction of a stream: encoder filters in reverse config order, then the downstream write. */
final class EncoderIteration extends FilterIteration {
    private final StreamEncoderFilter[] filters;
    private final ActiveStream stream;

    EncoderIteration(StreamEncoderFilter[] filters, long bufferLimit, ActiveStream stream) {
        super(filters.length, bufferLimit);
        this.filters = filters;
        this.stream = stream;
    }

    @Override
    Outcome invoke(int i, Frame f) {
        StreamEncoderFilter filter = filters[i];
        boolean go = switch (f.kind) {
            case HEADERS -> filter.encodeHeaders((HttpResponse) f.message, f.endStream) == FilterHeadersStatus.CONTINUE;
            case DATA -> filter.encodeData(f.data, f.endStream) == FilterDataStatus.CONTINUE;
            case TRAILERS -> filter.encodeTrailers(f.trailers) == FilterTrailersStatus.CONTINUE;
        };
        return go ? Outcome.CONTINUE : Outcome.STOP;
    }

    /** Ownership of {@code f.data} passes to the downstream write. */
    @Override
    void terminal(Frame f) {
        switch (f.kind) {
            case HEADERS -> stream.writeHeaders((HttpResponse) f.message, f.endStream);
            case DATA -> stream.writeData(f.data, f.endStream);
            case TRAILERS -> stream.writeTrailers(f.trailers);
        }
    }

    @Override
    void onBufferOverflow() {
        stream.resetStream(ResponseFlag.LOCAL_RESET);
    }
}
