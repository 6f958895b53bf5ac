package io.outrigger.filter.compressor;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.BrotliEncoder;
import io.netty.handler.codec.compression.BrotliMode;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.compression.Zstd;
import io.netty.handler.codec.compression.ZstdEncoder;

/**
 * The content codings the {@code compressor} filter produces and the {@code decompressor} filter reads (RFC 9110
 * §8.4.1), each with Netty's streaming encoder and decoder:
 * gzip (JDK zlib through {@code ZlibCodecFactory}), Brotli (brotli4j, RFC 7932), Zstandard (zstd-jni, RFC 8878).
 */
public enum Encoding {
    GZIP("gzip", "gzip"),
    BROTLI("brotli", "br"),
    ZSTD("zstd", "zstd");

    /** The {@code compressor_library.name} in the config. */
    final String libraryName;
    /** The {@code Content-Encoding} / {@code Accept-Encoding} token. */
    final String token;

    Encoding(String libraryName, String token) {
        this.libraryName = libraryName;
        this.token = token;
    }

    private static final java.util.Map<String, Encoding> BY_LIBRARY_NAME = new java.util.LinkedHashMap<>();

    static {
        for (Encoding e : values()) {
            BY_LIBRARY_NAME.put(e.libraryName, e);
        }
    }

    /**
     * Reads {@code name} of a {@code compressor_library} / {@code decompressor_library} section and checks that the
     * coding's native library loads here.
     *
     * @param lib  the section, still open for the caller's other keys
     * @param node the section's node, for errors
     * @return the coding, or {@code null} after recording an error
     */
    public static Encoding readLibrary(io.outrigger.config.ConfigMap lib, io.outrigger.config.ConfigNode node) {
        Encoding encoding = lib.oneOf("name", BY_LIBRARY_NAME, null);
        if (encoding == null) {
            if (!lib.has("name")) {
                node.error("missing required key 'name' (expected: one of gzip, brotli, zstd)");
            }
            return null;
        }
        String unavailable = encoding.unavailability();
        if (unavailable != null) {
            node.error(encoding.libraryName + " is not available on this platform (" + unavailable + ")");
            return null;
        }
        return encoding;
    }

    /**
     * Everything an {@code EmbeddedChannel} codec produced, as one buffer.
     *
     * @param next   the channel's {@code readOutbound} or {@code readInbound}
     * @return the bytes (empty when none); owned by the caller
     */
    public static io.netty.buffer.ByteBuf drain(java.util.function.Supplier<io.netty.buffer.ByteBuf> next,
                                                io.netty.buffer.ByteBufAllocator alloc) {
        io.netty.buffer.ByteBuf first = next.get();
        if (first == null) {
            return io.netty.buffer.Unpooled.EMPTY_BUFFER;
        }
        io.netty.buffer.ByteBuf more = next.get();
        if (more == null) {
            return first;
        }
        io.netty.buffer.CompositeByteBuf all = alloc.compositeBuffer();
        all.addComponent(true, first);
        do {
            all.addComponent(true, more);
        } while ((more = next.get()) != null);
        return all;
    }

    /** The {@code Content-Encoding} token: {@code gzip}, {@code br}, {@code zstd}. */
    public String token() {
        return token;
    }

    /** The {@code *_library.name} in the config: {@code gzip}, {@code brotli}, {@code zstd}. */
    public String libraryName() {
        return libraryName;
    }

    /** Whether the native library this coding needs loaded here ({@code null}: yes), else why not. */
    String unavailability() {
        return switch (this) {
            case GZIP -> null;
            case BROTLI -> Brotli.isAvailable() ? null : String.valueOf(Brotli.cause());
            case ZSTD -> Zstd.isAvailable() ? null : String.valueOf(Zstd.cause());
        };
    }

    /**
     * A new encoder for one response.
     *
     * @param level      gzip 1-9, Brotli quality 0-11, Zstandard level 1-22
     * @param windowBits Brotli 10-24 (ignored otherwise)
     * @param memLevel   ignored (gzip runs on the JDK's zlib)
     */
    /** A new streaming decoder for one body (Netty's gzip, Brotli or Zstandard decoder). */
    public ChannelHandler newDecoder() {
        return switch (this) {
            case GZIP -> ZlibCodecFactory.newZlibDecoder(ZlibWrapper.GZIP);
            case BROTLI -> new io.netty.handler.codec.compression.BrotliDecoder();
            case ZSTD -> new io.netty.handler.codec.compression.ZstdDecoder();
        };
    }

    ChannelHandler newEncoder(int level, int windowBits, int memLevel) {
        return switch (this) {
            case GZIP -> ZlibCodecFactory.newZlibEncoder(ZlibWrapper.GZIP, level); // the JDK's zlib (15 bits, level 8)
            case BROTLI -> new BrotliEncoder(StandardCompressionOptions.brotli(level, windowBits, BrotliMode.TEXT));
            case ZSTD -> new ZstdEncoder(level);
        };
    }
}
