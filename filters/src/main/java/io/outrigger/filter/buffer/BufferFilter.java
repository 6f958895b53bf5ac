package io.outrigger.filter.buffer;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.filter.FilterConfigDisabled;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;

/**
 * Envoy's buffer filter on one stream: the whole request body is gathered before anything goes upstream (for an
 * upstream that cannot take a streamed or chunked body), then sent with a {@code Content-Length}. A body larger than
 * {@code max_request_bytes} gets 413 and is not forwarded.
 */
final class BufferFilter implements StreamDecoderFilter {
    static final String NAME = "buffer";

    private final BufferFilterFactory.Settings listener;
    private StreamDecoderFilterCallbacks callbacks;
    private HttpRequest request;
    private long bytes;

    BufferFilter(BufferFilterFactory.Settings listener) {
        this.listener = listener;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest r, boolean endStream) {
        Object route = callbacks.routeSpecificConfig(NAME);
        BufferFilterFactory.Settings s = route instanceof BufferFilterFactory.Settings rs ? rs : listener;
        if (endStream || route == FilterConfigDisabled.INSTANCE || isUpgrade(r)) {
            return FilterHeadersStatus.CONTINUE;
        }
        request = r;
        callbacks.setDecoderBufferLimit(s.maxRequestBytes());
        return FilterHeadersStatus.STOP_ITERATION;
    }

    @Override
    public FilterDataStatus decodeData(ByteBuf data, boolean endStream) {
        if (request == null) {
            return FilterDataStatus.CONTINUE;
        }
        bytes += data.readableBytes();
        if (!endStream) {
            return FilterDataStatus.STOP_ITERATION_AND_BUFFER;
        }
        complete();
        return FilterDataStatus.CONTINUE; // the headers and the whole body go on
    }

    @Override
    public FilterTrailersStatus decodeTrailers(HttpHeaders trailers) {
        if (request != null) {
            complete();
        }
        return FilterTrailersStatus.CONTINUE;
    }

    /** Envoy's buffer filter states the length of what it gathered. */
    private void complete() {
        HttpHeaders h = request.headers();
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, bytes);
        listener.stats().completed().increment();
        request = null;
    }

    private static boolean isUpgrade(HttpRequest r) {
        return r.headers().contains(HttpHeaderNames.UPGRADE) || "CONNECT".equals(r.method().name());
    }
}
