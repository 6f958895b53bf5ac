package io.outrigger.filter.compressor;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@code compressor} filter's settings (Envoy's {@code Compressor} proto names).
 *
 * @param encoding                   {@code compressor_library.name}: gzip, brotli or zstd
 * @param level                      gzip {@code compression_level} 1-9 (default 6, zlib's default as Envoy's), Brotli
 *                                   {@code quality} 0-11 (default 3), Zstandard {@code compression_level} 1-22 (default 3)
 * @param windowBits                 gzip 9-15 (default 12, Envoy's), Brotli 10-24 (default 18)
 * @param memoryLevel                gzip 1-9 (default 5, Envoy's)
 * @param minContentLength           {@code min_content_length}: a response with a smaller Content-Length is left alone,
 *                                   bytes (default 30)
 * @param contentTypes               {@code content_type}: media types compressed (without parameters; lower case)
 * @param disableOnEtagHeader        {@code disable_on_etag_header}: a response with an ETag is left alone (else a strong
 *                                   ETag becomes weak, RFC 9110 §8.8.1)
 * @param removeAcceptEncodingHeader {@code remove_accept_encoding_header}: the upstream does not see the client's
 *                                   Accept-Encoding (so it answers uncompressed and this filter compresses)
 */
record CompressorConfig(Encoding encoding, int level, int windowBits, int memoryLevel, long minContentLength,
                        List<String> contentTypes, boolean disableOnEtagHeader, boolean removeAcceptEncodingHeader,
                        Stats stats) {
    /** Envoy's default {@code content_type} list. */
    static final List<String> DEFAULT_CONTENT_TYPES = List.of("text/html", "text/plain", "text/css",
            "application/javascript", "application/x-javascript", "text/javascript", "text/x-javascript",
            "text/ecmascript", "text/js", "text/jscript", "text/x-js", "application/ecmascript", "application/x-json",
            "text/xml", "application/xml", "application/json", "image/svg+xml", "application/xhtml+xml");

    CompressorConfig {
        contentTypes = List.copyOf(contentTypes);
    }

    /** Envoy's compressor counters, under {@code compressor.<library>.}. */
    record Stats(LongAdder compressed, LongAdder notCompressed, LongAdder noAcceptHeader, LongAdder contentLengthTooSmall, LongAdder notCompressibleContentType, LongAdder totalUncompressedBytes,
                 LongAdder totalCompressedBytes) {
    }
}
