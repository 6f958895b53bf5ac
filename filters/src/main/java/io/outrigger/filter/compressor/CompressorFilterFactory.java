package io.outrigger.filter.compressor;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code compressor} filter (Envoy's {@code envoy.filters.http.compressor}, its proto's field names):
 * <pre>{@code
 * http_filters:
 *   - name: compressor
 *     config:
 *       response_direction_config:
 *         common_config: { min_content_length: 30, content_type: [ text/html, application/json ] }
 *         disable_on_etag_header: false
 *         remove_accept_encoding_header: false
 *       compressor_library: { name: gzip, compression_level: 6 }
 * }</pre>
 * {@code compressor_library.name}: {@code gzip} ({@code compression_level} 1-9 or Envoy's {@code BEST_SPEED},
 * {@code BEST_COMPRESSION}, {@code DEFAULT_COMPRESSION}; the JDK's zlib, so Envoy's {@code memory_level} and
 * {@code window_bits} are accepted with a warning and ignored),
 * {@code brotli} ({@code quality} 0-11, {@code window_bits} 10-24) or {@code zstd} ({@code compression_level} 1-22).
 * Several compressor filters may be listed (one per coding); when a client accepts several, the one it weighs highest
 * wins (a tie: the entry listed first). Counters under {@code compressor.<name>.} (Envoy's names):
 * {@code compressed}, {@code not_compressed}, {@code no_accept_header}, {@code content_length_too_small},
 * {@code not_compressible_content_type}, {@code total_uncompressed_bytes}, {@code total_compressed_bytes}.
 */
public final class CompressorFilterFactory implements HttpFilterConfigFactory {
    @Override
    public String name() {
        return CompressorFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: compressor_library: { name: gzip })");
            return null;
        }
        CompressorConfig c = parse(config);
        return c == null ? null : chain -> chain.addStreamFilter(new CompressorFilter(c));
    }

    CompressorConfig parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        long minLength = 30;
        List<String> types = CompressorConfig.DEFAULT_CONTENT_TYPES;
        boolean disableOnEtag = false;
        boolean removeAccept = false;
        if (m.has("response_direction_config")) {
            ConfigMap r = m.map("response_direction_config");
            if (r.has("common_config")) {
                ConfigMap cc = r.map("common_config");
                minLength = cc.size("min_content_length", 30, 0, Integer.MAX_VALUE);
                if (cc.has("content_type")) {
                    List<String> listed = new ArrayList<>();
                    for (String t : cc.strings("content_type")) {
                        listed.add(t.trim().toLowerCase(Locale.ROOT));
                    }
                    types = listed;
                }
                cc.finish();
            }
            disableOnEtag = r.bool("disable_on_etag_header", false);
            removeAccept = r.bool("remove_accept_encoding_header", false);
            r.finish();
        }
        ConfigNode libraryNode = m.required("compressor_library").orElse(null);
        m.finish();
        if (libraryNode == null) {
            return null;
        }
        ConfigMap lib = libraryNode.asMap();
        Encoding encoding = Encoding.readLibrary(lib, libraryNode);
        int level;
        int window;
        int memory = 5;
        if (encoding == Encoding.GZIP) {
            level = gzipLevel(lib);
            for (String key : List.of("memory_level", "window_bits")) {
                lib.optional(key).ifPresent(n -> n.warn("ignored: gzip runs on the JDK's zlib (window_bits 15, memory_level"
                        + " 8: about 256 KiB of native memory per compressed response)"));
            }
            memory = 8;
            window = 15;
        } else if (encoding == Encoding.BROTLI) {
            level = (int) lib.integer("quality", 3, 0, 11);
            window = (int) lib.integer("window_bits", 18, 10, 24);
        } else {
            level = (int) lib.integer("compression_level", 3, 1, 22);
            window = 0;
        }
        lib.finish();
        if (encoding == null) {
            return null;
        }
        String prefix = "compressor." + encoding.libraryName + ".";
        CompressorConfig.Stats stats = new CompressorConfig.Stats(FilterStats.counter(prefix + "compressed"),
                FilterStats.counter(prefix + "not_compressed"), FilterStats.counter(prefix + "no_accept_header"),
                FilterStats.counter(prefix + "content_length_too_small"),
                FilterStats.counter(prefix + "not_compressible_content_type"),
                FilterStats.counter(prefix + "total_uncompressed_bytes"),
                FilterStats.counter(prefix + "total_compressed_bytes"));
        return new CompressorConfig(encoding, level, window, memory, minLength, types, disableOnEtag, removeAccept, stats);
    }

    private static final Map<String, Integer> GZIP_LEVELS = new LinkedHashMap<>();

    static {
        GZIP_LEVELS.put("BEST_SPEED", 1);
        GZIP_LEVELS.put("BEST_COMPRESSION", 9);
        GZIP_LEVELS.put("DEFAULT_COMPRESSION", 6);
        for (int i = 1; i <= 9; i++) {
            GZIP_LEVELS.put("COMPRESSION_LEVEL_" + i, i);
        }
    }

    /** {@code compression_level}: 1-9, or Envoy's enum names. */
    private static int gzipLevel(ConfigMap lib) {
        ConfigNode n = lib.optional("compression_level").orElse(null);
        if (n == null) {
            return 6;
        }
        String text = n.asString().orElse("");
        if (GZIP_LEVELS.containsKey(text)) {
            return GZIP_LEVELS.get(text);
        }
        return (int) lib.integer("compression_level", 6, 1, 9);
    }
}
