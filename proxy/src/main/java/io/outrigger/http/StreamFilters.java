package io.outrigger.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.filter.FilterChainBuilder;
import io.outrigger.filter.ConfiguredFilter;
import io.outrigger.filter.FilterConfigDisabled;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamEncoderFilter;
import io.outrigger.router.RouterFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One stream's filter chain (Envoy's {@code FilterManager}): the listener's decoder filters in config order
 * with the router last, and its encoder filters in reverse order. Frames go in through the
 * {@code decode…}/{@code encode…} methods and, past the last encoder filter, out to the stream's codec.
 */
final class StreamFilters {
    private final ActiveStream stream;
    private final long bufferLimit;
    private final StreamDecoderFilter[] decoders;
    private final StreamEncoderFilter[] encoders;
    private final String[] decoderNames; // the http_filters name of each decoder (the router's: null)
    private final String[] encoderNames;
    private static final StreamEncoderFilter[] NO_ENCODERS = {};
    private static final String[] ROUTER_ONLY = {null};
    private static final String[] NO_NAMES = {};
    /** Stands in for a filter a route disables ({@code { disabled: true }}): passes everything on. */
    private static final io.outrigger.filter.StreamFilter PASS = new io.outrigger.filter.StreamFilter() {
    };
    private final RouterFilter router = new RouterFilter();
    private final DecoderIteration decoding;
    private EncoderIteration encoding;

    StreamFilters(ActiveStream stream, ListenerContext listener) {
        this.stream = stream;
        this.bufferLimit = listener.bufferLimit();
        if (listener.filters().isEmpty()) { // the common sidecar case: just the router, nothing to name
            this.decoders = new StreamDecoderFilter[] {router};
            this.encoders = NO_ENCODERS;
            this.decoderNames = ROUTER_ONLY;
            this.encoderNames = NO_NAMES;
        } else {
            List<StreamDecoderFilter> d = new ArrayList<>();
            List<StreamEncoderFilter> e = new ArrayList<>();
            FilterChainBuilder builder = new FilterChainBuilder() {
                @Override
                public void addDecoderFilter(StreamDecoderFilter filter) {
                    d.add(filter);
                }

                @Override
                public void addEncoderFilter(StreamEncoderFilter filter) {
                    e.add(filter);
                }
            };
            List<String> dn = new ArrayList<>();
            List<String> en = new ArrayList<>();
            for (ConfiguredFilter f : listener.filters()) {
                f.factory().createFilters(builder);
                while (dn.size() < d.size()) {
                    dn.add(f.name());
                }
                while (en.size() < e.size()) {
                    en.add(f.name());
                }
            }
            d.add(router);
            dn.add(null);
            Collections.reverse(e); // responses meet the filters in reverse order
            Collections.reverse(en);
            this.decoders = d.toArray(new StreamDecoderFilter[0]);
            this.encoders = e.toArray(new StreamEncoderFilter[0]);
            this.decoderNames = dn.toArray(new String[0]);
            this.encoderNames = en.toArray(new String[0]);
        }
        for (StreamDecoderFilter f : decoders) {
            f.setDecoderFilterCallbacks(stream);
        }
        for (StreamEncoderFilter f : encoders) {
            f.setEncoderFilterCallbacks(stream);
        }
        this.decoding = new DecoderIteration(decoders, bufferLimit, stream);
        this.encoding = new EncoderIteration(encoders, bufferLimit, stream);
    }

    RouterFilter router() {
        return router;
    }

    /**
     * The matched route's per-filter settings, before the first frame: filters it disables
     * ({@link FilterConfigDisabled}) are replaced by a pass-through for this stream (never called, never destroyed).
     */
    void applyRouteConfigs(java.util.Map<String, Object> configs) {
        for (int i = 0; i < decoders.length; i++) {
            if (decoderNames[i] != null && configs.get(decoderNames[i]) == FilterConfigDisabled.INSTANCE) {
                decoders[i] = PASS;
            }
        }
        for (int i = 0; i < encoders.length; i++) {
            if (configs.get(encoderNames[i]) == FilterConfigDisabled.INSTANCE) {
                encoders[i] = PASS;
            }
        }
    }

    void decodeHeaders(HttpRequest request, boolean endStream) {
        decoding.push(FilterIteration.Kind.HEADERS, request, null, null, endStream);
    }

    /** @param data ownership passes to the iteration */
    void decodeData(ByteBuf data, boolean endStream) {
        decoding.push(FilterIteration.Kind.DATA, null, data, null, endStream);
    }

    void decodeTrailers(HttpHeaders trailers) {
        decoding.push(FilterIteration.Kind.TRAILERS, null, null, trailers, true);
    }

    void encodeHeaders(HttpResponse response, boolean endStream) {
        encoding.push(FilterIteration.Kind.HEADERS, response, null, null, endStream);
    }

    /** @param data ownership passes to the iteration */
    void encodeData(ByteBuf data, boolean endStream) {
        encoding.push(FilterIteration.Kind.DATA, null, data, null, endStream);
    }

    void encodeTrailers(HttpHeaders trailers) {
        encoding.push(FilterIteration.Kind.TRAILERS, null, null, trailers, true);
    }

    void continueDecoding() {
        decoding.resume();
    }

    void continueEncoding() {
        encoding.resume();
    }

    void setDecoderBufferLimit(long bytes) {
        decoding.setBufferLimit(bytes);
    }

    void replaceDecodingData(ByteBuf data) {
        decoding.replaceData(data);
    }

    void replaceEncodingData(ByteBuf data) {
        encoding.replaceData(data);
    }

    void addEncodedDataBeforeTrailers(ByteBuf data) {
        encoding.addDataBeforeTrailers(data);
    }

    /** A local reply replaces whatever was in flight: both directions stop, the response restarts. */
    void restartEncoding() {
        decoding.clear();
        encoding.clear();
        encoding = new EncoderIteration(encoders, bufferLimit, stream);
    }

    /** The stream ended: release waiting frames and tell every filter once. */
    void destroy() {
        decoding.clear();
        encoding.clear();
        for (StreamDecoderFilter f : decoders) {
            f.onDestroy();
        }
        for (StreamEncoderFilter f : encoders) {
            if (f != PASS && !isDecoder(f)) { // a StreamFilter was destroyed above
                f.onDestroy();
            }
        }
    }

    private boolean isDecoder(Object filter) {
        for (StreamDecoderFilter d : decoders) {
            if (d == filter) {
                return true;
            }
        }
        return false;
    }
}
