package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: Netty's request decoder and response encoder, made strict.
 * Sits first in a cleartext connection's pipeline; {@link HttpServerUpgradeHandler} removes it on a
 * successful {@code h2c} upgrade.
 *
 * <p>It checks the request line (target characters and version, {@link Http1RequestValidator#checkRequestLine}) before
 * Netty builds the request, and differs from Netty's {@code HttpServerCodec} in one more rule: a request with both
 * {@code Content-Length} and {@code Transfer-Encoding: chunked} is rejected (RFC 9112 §6.3 lets a
 * server either reject it or drop Content-Length; a proxy that forwards must reject, since the next hop
 * may frame it the other way — request smuggling). Like {@code HttpServerCodec}, it remembers request
 * methods so responses to {@code HEAD} are encoded without a body.
 */
public final class Http1ServerCodec extends CombinedChannelDuplexHandler<Http1ServerCodec.StrictRequestDecoder,
        Http1ServerCodec.ResponseEncoder> implements HttpServerUpgradeHandler.SourceCodec {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    /**
     * @param maxInitialLineLength bytes allowed in the request line
     * @param maxHeaderSize        bytes allowed in all header lines together
     */
    public Http1ServerCodec(int maxInitialLineLength, int maxHeaderSize) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setAllowPartialChunks(true);
        init(new StrictRequestDecoder(config), new ResponseEncoder());
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    /** Netty's request decoder, rejecting Content-Length together with chunked Transfer-Encoding. */
    final class StrictRequestDecoder extends HttpRequestDecoder {
        StrictRequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest r) {
                    methods.add(r.method());
                }
            }
        }

        /** The request line's target and version checked before Netty builds the request (RFC 9112 §3). */
        @Override
        protected HttpMessage createMessage(String[] initialLine) throws Exception {
            initialLine[2] = Http1RequestValidator.checkRequestLine(initialLine[1], initialLine[2]);
            return super.createMessage(initialLine);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new IllegalArgumentException("both Content-Length and Transfer-Encoding: chunked");
        }
    }

    /** Netty's response encoder, told which responses answer {@code HEAD} (no body on the wire). */
    final class ResponseEncoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return true; // interim response: the request's final response is still to come
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
