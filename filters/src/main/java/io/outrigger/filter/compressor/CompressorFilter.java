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
 * and its strong ETag turns weak; every response of a compressible type gets {@code Vary: Accept-Encoding}. With
 * several compressor entries, the coding the caller weighs highest ({@code q}) wins; on a tie, the entry listed first.
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

    /**
     * The stream's dynamic metadata key under which each compressor entry lists its coding as it sees the request, so
     * that with several entries the caller's preferred coding wins (as in Envoy).
     */
    static final String REGISTRY_NAMESPACE = "outrigger.compressor";
    private static final String REGISTRY_KEY = "codings";

    private StreamDecoderFilterCallbacks decoderCallbacks;
    private String acceptField;

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.decoderCallbacks = callbacks;
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
            acceptField = accept;
            register();
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
        if (!h.containsValue(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING, true)) {
            h.add(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING); // a cache must key on it either way
        }
        if (!accepted || !preferred() || endStream || headRequest || !compressibleResponse(response)) {
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

    /** Lists this entry's coding in the stream's registry of compressor entries (config order). */
    @SuppressWarnings("unchecked")
    private void register() {
        Object listed = decoderCallbacks.streamInfo().dynamicMetadata(REGISTRY_NAMESPACE).get(REGISTRY_KEY);
        java.util.List<String> codings = listed instanceof java.util.List<?> l ? (java.util.List<String>) l
                : new java.util.ArrayList<>(3);
        if (codings.isEmpty()) {
            decoderCallbacks.setDynamicMetadata(REGISTRY_NAMESPACE, REGISTRY_KEY, codings);
        }
        codings.add(config.encoding().token);
    }

    /**
     * Whether, among the compressor entries that saw the request, this one's coding has the caller's highest weight
     * (ties: the entry listed first). One entry alone is always preferred.
     */
    private boolean preferred() {
        Object listed = decoderCallbacks.streamInfo().dynamicMetadata(REGISTRY_NAMESPACE).get(REGISTRY_KEY);
        if (!(listed instanceof java.util.List<?> codings) || codings.size() < 2) {
            return true;
        }
        double mine = AcceptEncoding.weight(acceptField, config.encoding().token);
        for (Object c : codings) {
            if (c.equals(config.encoding().token)) {
                return true; // every entry listed before this one has a lower weight
            }
            if (AcceptEncoding.weight(acceptField, (String) c) >= mine) {
                return false;
            }
        }
        return true;
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
