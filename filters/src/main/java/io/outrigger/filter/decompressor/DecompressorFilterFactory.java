package io.outrigger.filter.decompressor;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import io.outrigger.filter.compressor.Encoding;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code decompressor} filter (Envoy's {@code envoy.filters.http.decompressor}, its proto's field names):
 * <pre>{@code
 * http_filters:
 *   - name: decompressor
 *     config:
 *       decompressor_library: { name: gzip }            # gzip | brotli | zstd
 *       request_direction_config:  { common_config: { enabled: true }, advertise_accept_encoding: true }
 *       response_direction_config: { common_config: { enabled: true } }
 * }</pre>
 * Counters under {@code decompressor.<library>.}: {@code request.decompressed}, {@code request.failed},
 * {@code response.decompressed}, {@code response.failed}.
 */
public final class DecompressorFilterFactory implements HttpFilterConfigFactory {
    /** The counters. */
    record Stats(LongAdder requestDecompressed, LongAdder requestFailed, LongAdder responseDecompressed,
                 LongAdder responseFailed) {
    }

    /**
     * @param encoding                the coding undone
     * @param requestEnabled          request bodies are decompressed
     * @param advertiseAcceptEncoding the upstream request gets the coding in {@code Accept-Encoding}
     * @param responseEnabled         response bodies are decompressed
     */
    record Settings(Encoding encoding, boolean requestEnabled, boolean advertiseAcceptEncoding, boolean responseEnabled,
                    Stats stats) {
    }

    @Override
    public String name() {
        return DecompressorFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: decompressor_library: { name: gzip })");
            return null;
        }
        Settings s = parse(config);
        return s == null ? null : chain -> chain.addStreamFilter(new DecompressorFilter(s));
    }

    Settings parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        boolean requestEnabled = true;
        boolean advertise = true;
        boolean responseEnabled = true;
        if (m.has("request_direction_config")) {
            ConfigMap r = m.map("request_direction_config");
            requestEnabled = enabled(r);
            advertise = r.bool("advertise_accept_encoding", true);
            r.finish();
        }
        if (m.has("response_direction_config")) {
            ConfigMap r = m.map("response_direction_config");
            responseEnabled = enabled(r);
            r.finish();
        }
        ConfigNode libraryNode = m.required("decompressor_library").orElse(null);
        m.finish();
        if (libraryNode == null) {
            return null;
        }
        ConfigMap lib = libraryNode.asMap();
        Encoding encoding = Encoding.readLibrary(lib, libraryNode);
        lib.finish();
        if (encoding == null) {
            return null;
        }
        String prefix = "decompressor." + encoding.libraryName() + ".";
        return new Settings(encoding, requestEnabled, advertise, responseEnabled,
                new Stats(FilterStats.counter(prefix + "request.decompressed"), FilterStats.counter(prefix + "request.failed"),
                        FilterStats.counter(prefix + "response.decompressed"), FilterStats.counter(prefix + "response.failed")));
    }

    /** {@code common_config: { enabled: true }} (Envoy's RuntimeFeatureFlag, its default value only). */
    private static boolean enabled(ConfigMap direction) {
        if (!direction.has("common_config")) {
            return true;
        }
        ConfigMap cc = direction.map("common_config");
        boolean enabled = true;
        if (cc.has("enabled")) {
            ConfigNode e = cc.optional("enabled").get();
            if (e.isMap()) {
                ConfigMap em = e.asMap();
                enabled = em.bool("default_value", true);
                em.optional("runtime_key"); // accepted: there is no runtime here
                em.finish();
            } else {
                enabled = e.asBoolean().orElse(true);
            }
        }
        cc.finish();
        return enabled;
    }
}
