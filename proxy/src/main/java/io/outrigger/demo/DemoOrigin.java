package io.outrigger.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A demo origin server: answers every request with its own name, the request line and the request
 * headers it received, so a user sees where the proxy sent a request and what it added.
 */
final class DemoOrigin {
    private final Channel channel;

    private DemoOrigin(Channel channel) {
        this.channel = channel;
    }

    /** Starts an origin named {@code name} on {@code 127.0.0.1:port} (0: any free port). */
    static DemoOrigin start(String name, int port, EventLoopGroup group, Class<? extends ServerChannel> channelType)
            throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(channelType)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Echo(name));
                    }
                }).bind("127.0.0.1", port).sync().channel();
        return new DemoOrigin(ch);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String name;

        Echo(String name) {
            this.name = name;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            StringBuilder sb = new StringBuilder();
            sb.append("origin: ").append(name).append('\n');
            sb.append(req.method()).append(' ').append(req.uri()).append(' ').append(req.protocolVersion()).append('\n');
            for (Map.Entry<String, String> h : req.headers()) {
                sb.append(h.getKey()).append(": ").append(h.getValue()).append('\n');
            }
            if (req.content().isReadable()) {
                sb.append("body bytes: ").append(req.content().readableBytes()).append('\n');
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(sb, StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .set("x-origin", name)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(resp, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(resp);
            } else {
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
