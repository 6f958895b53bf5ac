package io.outrigger.filter.compressor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Compresses one response body as it streams, with one of Netty's compression encoders in an {@link EmbeddedChannel}
 * (as Netty's own {@code HttpContentCompressor} does): every chunk written is flushed through the encoder, so what the
 * upstream sent is on its way at once (gzip: a sync flush; a streamed response is never held back for a better ratio).
 * Not thread-safe: the stream's event loop only.
 */
final class StreamCompressor {
    private final EmbeddedChannel channel;

    StreamCompressor(ChannelHandler encoder) {
        this.channel = new EmbeddedChannel(encoder);
    }

    /**
     * @param in   a body chunk; released here
     * @param last whether it ends the body (the coding's trailer follows)
     * @return the compressed bytes (possibly empty); owned by the caller
     */
    ByteBuf compress(ByteBuf in, boolean last) {
        if (in.isReadable()) {
            channel.writeOutbound(in);
        } else {
            in.release();
        }
        if (last) {
            channel.finish();
        }
        return drain();
    }

    /** The stream ended early: frees the encoder and whatever it still holds. */
    void abort() {
        channel.finishAndReleaseAll();
    }

    private ByteBuf drain() {
        return Encoding.drain(channel::readOutbound, channel.alloc());
    }
}
