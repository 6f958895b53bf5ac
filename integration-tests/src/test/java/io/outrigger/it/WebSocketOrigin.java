package io.outrigger.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket origin (Netty's RFC 6455 server handler) on loopback, path {@code /ws}: echoes text and binary
 * messages; {@code close:CODE} makes it close with that code; {@code delay:MS:TEXT} echoes TEXT after MS ms. A close
 * from the client is answered with the same code (the handler's default).
 */
final class WebSocketOrigin implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    WebSocketOrigin() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ws").maxFramePayloadLength(4 << 20).build()),
                                new Echo());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                String t = text.text();
                if (t.startsWith("close:")) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(Integer.parseInt(t.substring(6)), "origin closes"));
                } else if (t.startsWith("delay:")) {
                    String[] parts = t.split(":", 3);
                    ctx.executor().schedule(() -> ctx.writeAndFlush(new TextWebSocketFrame(parts[2])),
                            Long.parseLong(parts[1]), TimeUnit.MILLISECONDS);
                } else {
                    ctx.writeAndFlush(new TextWebSocketFrame(t));
                }
            } else if (frame instanceof BinaryWebSocketFrame bin) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(bin.content().retain()));
            }
        }
    }
}
