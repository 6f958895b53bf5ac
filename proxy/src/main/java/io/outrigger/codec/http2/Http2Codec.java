package io.outrigger.codec.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.outrigger.codec.FlushScheduler;

/**
 * What the HTTP/2 server and client codecs share on top of Netty's {@link Http2ConnectionHandler}: the
 * connection's context, its flush scheduler, returning flow-control credit and resetting a stream.
 */
abstract class Http2Codec extends Http2ConnectionHandler {
    private ChannelHandlerContext ctx;
    private FlushScheduler flusher;

    Http2Codec(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
        super(decoder, encoder, settings);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.flusher = new FlushScheduler(ctx.channel());
        super.handlerAdded(ctx);
    }

    final ChannelHandlerContext ctx() {
        return ctx;
    }

    final FlushScheduler flusher() {
        return flusher;
    }

    /** Returns {@code bytes} of a stream's received DATA to the peer as flow-control credit (WINDOW_UPDATE). */
    final void consume(Http2Stream stream, int bytes) {
        try {
            if (decoder().flowController().consumeBytes(stream, bytes)) {
                flusher.flushLater(); // a WINDOW_UPDATE was written
            }
        } catch (Http2Exception e) {
            onError(ctx, false, e);
        }
    }

    /** Sends RST_STREAM with {@code error}. */
    final void reset(int streamId, Http2Error error) {
        resetStream(ctx, streamId, error.code(), ctx.newPromise());
        flusher.flushLater();
    }
}
