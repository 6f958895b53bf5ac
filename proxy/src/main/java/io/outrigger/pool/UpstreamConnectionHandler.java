package io.outrigger.pool;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection ({@code HttpClientCodec -> [IdleStateHandler] -> this}):
 * hands decoded response parts to the connection's current listener and tells the pool about closes
 * and idle timeouts.
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
        ResponseListener l = connection == null ? null : connection.listener;
        if (l != null && msg instanceof HttpObject http) {
            l.onResponseObject(http);
            return;
        }
        // Bytes on an idle connection: the upstream is confused (or sent a late response); never reuse it.
        ReferenceCountUtil.release(msg);
        log.debug("unexpected upstream data on idle connection {}, closing", ctx.channel());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ResponseListener l = connection == null ? null : connection.listener;
        if (l != null) {
            l.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ResponseListener l = connection == null ? null : connection.listener;
        if (l != null) {
            l.onWritabilityChanged(ctx.channel().isWritable());
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && connection != null && connection.state == UpstreamConnection.State.IDLE) {
            log.debug("closing idle upstream connection {}", ctx.channel());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("upstream connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
