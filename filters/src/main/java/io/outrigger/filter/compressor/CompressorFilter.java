package io.outrigger.filter.compressor;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamFilter;
import java.util.Locale;

/**
 * Envoy's compressor filter on one stream: the request's {@code Accept-Encoding} decides whether this filter's coding
 * is wanted; the response is compressed as it streams when its content type is in the list, it is long enough (or of
 * unknown length), has no {@code Content-Encoding} and no {@code Cache-Control: no-transform}, and is not a HEAD, 204,
 * 206 or 304 answer. Server-sent events ({@code text/event-stream}) and gRPC ({@code application/grpc*}) are never
 * compressed whatever the list says. A compressed response gets {@code Content-Encoding}, loses {@code Content-Length}
 * and its strong ETag turns weak; every response of a compressible type gets {@code Vary: Accept-Encoding}.
 */
final class CompressorFilter implements StreamFilter {
    static final String NAME = "compressor";

    private final CompressorConfig config;
    private StreamEncoderFilterCallbacks encoderCallbacks;
    private boolean accepted;
    private boolean headRequest;
    private StreamCompressor compressor;

    CompressorFilter(CompressorConfig config) {
        this.config = config;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
    }

    @Override
    public void setEncoderFilterCallbacks(StreamEncoderFilterCallbacks callbacks) {
        this.encoderCallbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        HttpHeaders h = request.headers();
        headRequest = HttpMethod.HEAD.equals(request.method());
        String accept = h.get(HttpHeaderNames.ACCEPT_ENCODING);
        if (accept == null) {
            config.stats().noAcceptHeader().increment();
        } else {
            accepted = AcceptEncoding.accepts(accept, config.encoding().token);
        }
        if (config.removeAcceptEncodingHeader()) {
            h.remove(HttpHeaderNames.ACCEPT_ENCODING);
        }
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        HttpHeaders h = response.headers();
        if (!compressibleType(h.get(HttpHeaderNames.CONTENT_TYPE))) {
            config.stats().notCompressibleContentType().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        h.add(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING); // a cache must key on it either way
        if (!accepted || endStream || headRequest || !compressibleResponse(response)) {
            config.stats().notCompressed().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && tooShort(length)) {
            config.stats().contentLengthTooSmall().increment();
            config.stats().notCompressed().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        String etag = h.get(HttpHeaderNames.ETAG);
        if (etag != null) {
            if (config.disableOnEtagHeader()) {
                config.stats().notCompressed().increment();
                return FilterHeadersStatus.CONTINUE;
            }
            if (!etag.startsWith("W/")) {
                h.set(HttpHeaderNames.ETAG, "W/" + etag); // RFC 9110 §8.8.1: the bytes are no longer the same
            }
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.set(HttpHeaderNames.CONTENT_ENCODING, config.encoding().token);
        compressor = new StreamCompressor(config.encoding().newEncoder(config.level(), config.windowBits(),
                config.memoryLevel()));
        config.stats().compressed().increment();
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterDataStatus encodeData(ByteBuf data, boolean endStream) {
        if (compressor == null) {
            return FilterDataStatus.CONTINUE;
        }
        int in = data.readableBytes();
        ByteBuf out = compressor.compress(data.retain(), endStream); // the filter manager keeps its own reference
        config.stats().totalUncompressedBytes().add(in);
        config.stats().totalCompressedBytes().add(out.readableBytes());
        if (endStream) {
            compressor = null;
        }
        encoderCallbacks.replaceEncodingData(out);
        return FilterDataStatus.CONTINUE;
    }

    @Override
    public FilterTrailersStatus encodeTrailers(HttpHeaders trailers) {
        if (compressor != null) {
            // the trailers end the body: the coding's last bytes go before them
            ByteBuf last = compressor.compress(io.netty.buffer.Unpooled.EMPTY_BUFFER, true);
            compressor = null;
            config.stats().totalCompressedBytes().add(last.readableBytes());
            encoderCallbacks.addEncodedDataBeforeTrailers(last);
        }
        return FilterTrailersStatus.CONTINUE;
    }

    @Override
    public void onDestroy() {
        if (compressor != null) {
            compressor.abort();
            compressor = null;
        }
    }

    private boolean compressibleType(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        int semi = type.indexOf(';');
        type = (semi < 0 ? type : type.substring(0, semi)).trim();
        if (type.equals("text/event-stream") || type.startsWith("application/grpc")) {
            return false; // streams whose every event must arrive on its own, and gRPC's own framing
        }
        return config.contentTypes().contains(type);
    }

    private static boolean compressibleResponse(HttpResponse r) {
        int code = r.status().code();
        if (code < 200 || code == 204 || code == 206 || code == 304) {
            return false;
        }
        HttpHeaders h = r.headers();
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return false;
        }
        String cacheControl = h.get(HttpHeaderNames.CACHE_CONTROL);
        return cacheControl == null || !cacheControl.toLowerCase(Locale.ROOT).contains("no-transform");
    }

    private boolean tooShort(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) < config.minContentLength();
        } catch (NumberFormatException e) {
            return true; // not ours to fix: leave it alone
        }
    }
}
