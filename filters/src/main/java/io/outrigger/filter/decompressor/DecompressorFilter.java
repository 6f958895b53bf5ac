package io.outrigger.filter.decompressor;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamFilter;
import java.util.Locale;

/**
 * Envoy's decompressor filter on one stream: a request or response body whose outermost {@code Content-Encoding} is
 * this filter's coding is decompressed as it streams; the coding leaves {@code Content-Encoding} (the header goes when
 * none is left) and {@code Content-Length} goes. With {@code advertise_accept_encoding} the upstream is told the coding
 * is accepted. A request body that is not valid in its coding, or that inflates more than 200:1, gets 400; a response
 * body, 502 (or a reset when its headers already left).
 */
final class DecompressorFilter implements StreamFilter {
    static final String NAME = "decompressor";

    private final DecompressorFilterFactory.Settings config;
    private StreamDecoderFilterCallbacks decoderCallbacks;
    private StreamEncoderFilterCallbacks encoderCallbacks;
    private StreamDecompressor request;
    private StreamDecompressor response;

    DecompressorFilter(DecompressorFilterFactory.Settings config) {
        this.config = config;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.decoderCallbacks = callbacks;
    }

    @Override
    public void setEncoderFilterCallbacks(StreamEncoderFilterCallbacks callbacks) {
        this.encoderCallbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest r, boolean endStream) {
        HttpHeaders h = r.headers();
        if (config.requestEnabled() && !endStream && takeCoding(h)) {
            request = new StreamDecompressor(config.encoding().newDecoder());
            config.stats().requestDecompressed().increment();
        }
        if (config.advertiseAcceptEncoding()) {
            String accept = h.get(HttpHeaderNames.ACCEPT_ENCODING);
            String token = config.encoding().token();
            if (accept == null || accept.isBlank()) {
                h.set(HttpHeaderNames.ACCEPT_ENCODING, token);
            } else if (!accept.toLowerCase(Locale.ROOT).contains(token)) {
                h.set(HttpHeaderNames.ACCEPT_ENCODING, accept + ", " + token);
            }
        }
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterDataStatus decodeData(ByteBuf data, boolean endStream) {
        if (request == null) {
            return FilterDataStatus.CONTINUE;
        }
        try {
            ByteBuf plain = request.decompress(data.retain(), endStream);
            if (endStream) {
                request = null;
            }
            decoderCallbacks.replaceDecodingData(plain);
            return FilterDataStatus.CONTINUE;
        } catch (StreamDecompressor.DecompressionFailure e) {
            request = null;
            config.stats().requestFailed().increment();
            decoderCallbacks.sendLocalReply(HttpResponseStatus.BAD_REQUEST, "request body " + e.getMessage(),
                    ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
            return FilterDataStatus.STOP_ITERATION_AND_BUFFER;
        }
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse r, boolean endStream) {
        if (config.responseEnabled() && !endStream && takeCoding(r.headers())) {
            response = new StreamDecompressor(config.encoding().newDecoder());
            config.stats().responseDecompressed().increment();
        }
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterDataStatus encodeData(ByteBuf data, boolean endStream) {
        if (response == null) {
            return FilterDataStatus.CONTINUE;
        }
        try {
            ByteBuf plain = response.decompress(data.retain(), endStream);
            if (endStream) {
                response = null;
            }
            encoderCallbacks.replaceEncodingData(plain);
            return FilterDataStatus.CONTINUE;
        } catch (StreamDecompressor.DecompressionFailure e) {
            response = null;
            config.stats().responseFailed().increment();
            encoderCallbacks.sendLocalReply(HttpResponseStatus.BAD_GATEWAY, "upstream response body " + e.getMessage(),
                    ResponseFlag.UPSTREAM_PROTOCOL_ERROR);
            return FilterDataStatus.STOP_ITERATION_AND_BUFFER;
        }
    }

    @Override
    public void onDestroy() {
        if (request != null) {
            request.abort();
        }
        if (response != null) {
            response.abort();
        }
    }

    /**
     * When the outermost coding of {@code Content-Encoding} is this filter's, removes it (and {@code Content-Length});
     * codings apply in the order listed, so the last one is undone first (RFC 9110 §8.4).
     */
    private boolean takeCoding(HttpHeaders h) {
        String ce = h.get(HttpHeaderNames.CONTENT_ENCODING);
        if (ce == null) {
            return false;
        }
        String[] codings = ce.split(",");
        String last = codings[codings.length - 1].trim().toLowerCase(Locale.ROOT);
        if (!last.equals(config.encoding().token()) && !(last.equals("x-gzip") && config.encoding().token().equals("gzip"))) {
            return false;
        }
        if (codings.length == 1) {
            h.remove(HttpHeaderNames.CONTENT_ENCODING);
        } else {
            h.set(HttpHeaderNames.CONTENT_ENCODING, ce.substring(0, ce.lastIndexOf(',')).trim());
        }
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        return true;
    }
}
