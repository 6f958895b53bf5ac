package io.outrigger.codec.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
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

    /**
     * A connection whose outbound flow control shares the window among the streams with data evenly
     * ({@link UniformStreamByteDistributor}) instead of Netty's default priority tree: RFC 9113 §5.3.2 deprecates
     * the RFC 7540 priority signals (Envoy ignores them too), and the tree's state cost ~200 B per stream and
     * ~300 B per idle connection (measured: {@code bench/footprint.sh}, {@code bench/resources.py idle}), and
     * bookkeeping on every write.
     *
     * @param server whether this end is the server
     */
    static Http2Connection newConnection(boolean server) {
        DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
        connection.remote().flowController(
                new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        return connection;
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
