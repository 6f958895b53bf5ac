package io.outrigger.filter.decompressor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/**
 * Decompresses one body as it streams, with one of Netty's decoders in an {@link EmbeddedChannel}. Guards against
 * decompression bombs the way Apache's {@code DeflateInflateRatioLimit} does: past 1 MiB of output, more than
 * {@link #MAX_RATIO} output bytes per input byte fails the body. Not thread-safe: the stream's event loop only.
 */
final class StreamDecompressor {
    /** Output bytes allowed per input byte once past {@link #FREE_BYTES} (Apache mod_deflate's default is 200). */
    static final long MAX_RATIO = 200;
    static final long FREE_BYTES = 1 << 20;

    /** The body is not valid in its coding, or inflates beyond the ratio. */
    static final class DecompressionFailure extends Exception {
        DecompressionFailure(String message) {
            super(message, null, false, false);
        }
    }

    private final EmbeddedChannel channel;
    private long in;
    private long out;

    StreamDecompressor(ChannelHandler decoder) {
        this.channel = new EmbeddedChannel(decoder);
    }

    /**
     * @param data a compressed chunk; released here
     * @param last whether it ends the body
     * @return the decompressed bytes (possibly empty); owned by the caller
     * @throws DecompressionFailure when the bytes are not valid or inflate too much (nothing is returned then)
     */
    ByteBuf decompress(ByteBuf data, boolean last) throws DecompressionFailure {
        in += data.readableBytes();
        try {
            if (data.isReadable()) {
                channel.writeInbound(data);
            } else {
                data.release();
            }
            if (last) {
                channel.finish();
            }
        } catch (DecoderException e) {
            abort();
            throw new DecompressionFailure("not valid: " + e.getMessage());
        }
        ByteBuf result = drain();
        out += result.readableBytes();
        if (out > FREE_BYTES && out > MAX_RATIO * in) {
            result.release();
            abort();
            throw new DecompressionFailure("inflates more than " + MAX_RATIO + ":1");
        }
        return result;
    }

    /** The stream ended early (or failed): frees the decoder; a truncated body's complaint is of no interest now. */
    void abort() {
        try {
            channel.finishAndReleaseAll();
        } catch (RuntimeException e) {
            channel.releaseInbound();
        }
    }

    private ByteBuf drain() {
        return io.outrigger.filter.compressor.Encoding.drain(channel::readInbound, channel.alloc());
    }
}
