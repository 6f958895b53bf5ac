package io.outrigger.pool;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.codec.http1.Http1ClientStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection ({@code [SslHandler] -> Http1ClientCodec -> this}): hands
 * decoded response parts to the connection's current listener and tells the pool about closes.
 */
final class UpstreamConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamConnectionHandler.class);
    private final Http1ConnectionPool pool;
    private UpstreamConnection connection;

    UpstreamConnectionHandler(Http1ConnectionPool pool) {
        this.pool = pool;
    }

    void attach(UpstreamConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Http1ClientStream stream = connection == null ? null : connection.stream;
        if (stream != null && (msg instanceof HttpObject || msg instanceof io.netty.buffer.ByteBuf)) {
            stream.onResponseObject(msg); // ByteBuf: an upgraded connection's raw bytes
            return;
        }
        // Bytes on an idle connection: the upstream is confused (or sent a late response); never reuse it.
        ReferenceCountUtil.release(msg);
        log.debug("unexpected upstream data on idle connection {}, closing", ctx.channel());
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Http1ClientStream stream = connection == null ? null : connection.stream;
        if (stream != null) {
            stream.onWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            pool.onClosed(connection);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("upstream connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
