package io.outrigger.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * First handler of a cleartext connection: looks at the first bytes and, when they are the HTTP/2
 * connection preface (RFC 9113 §3.4, "prior knowledge"), asks the initializer to switch the pipeline to
 * HTTP/2. Otherwise it removes itself and the HTTP/1.1 handlers behind it (which also handle
 * {@code Upgrade: h2c}) see the bytes. Either way it forwards every byte it held.
 */
final class Http2PriorKnowledgeDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Runnable switchToHttp2;

    /** @param switchToHttp2 replaces the HTTP/1.1 handlers with HTTP/2 ones; runs on the event loop */
    Http2PriorKnowledgeDetector(Runnable switchToHttp2) {
        this.switchToHttp2 = switchToHttp2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int prefaceLength = PREFACE.readableBytes();
        int n = Math.min(in.readableBytes(), prefaceLength);
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n)) {
            ctx.pipeline().remove(this);
        } else if (n == prefaceLength) {
            switchToHttp2.run();
            ctx.pipeline().remove(this);
        }
        // else: a prefix of the preface so far; wait for more bytes
    }
}
