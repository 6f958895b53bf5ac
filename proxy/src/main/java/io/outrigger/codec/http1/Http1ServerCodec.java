package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.outrigger.codec.ArrayHttpHeaders;
import io.outrigger.codec.KnownHeaderNames;
import io.outrigger.codec.RequestHeadersTimer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;

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
    private final RequestHeadersTimer headersTimer;
    private ChannelHandlerContext timerCtx;

    /** The event fired down the pipeline when a request's headers took longer than {@code request_headers_timeout}. */
    public static final Object REQUEST_HEADERS_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "REQUEST_HEADERS_TIMEOUT";
        }
    };

    /**
     * @param maxInitialLineLength bytes allowed in the request line
     * @param maxHeaderSize        bytes allowed in all header lines together
     */
    public Http1ServerCodec(int maxInitialLineLength, int maxHeaderSize) {
        this(maxInitialLineLength, maxHeaderSize, Duration.ZERO, System::nanoTime);
    }

    /**
     * @param requestHeadersTimeout a request's headers must be complete this long after its first byte (the first
     *                              request: after the codec was added); {@code ZERO}: no limit. On expiry the codec fires
     *                              {@link #REQUEST_HEADERS_TIMEOUT} as a user event for the connection to answer 408.
     * @param nanoTime              the clock
     */
    public Http1ServerCodec(int maxInitialLineLength, int maxHeaderSize, Duration requestHeadersTimeout,
                            LongSupplier nanoTime) {
        this.headersTimer = new RequestHeadersTimer(requestHeadersTimeout, nanoTime, () -> {
            if (timerCtx != null) {
                timerCtx.fireUserEventTriggered(REQUEST_HEADERS_TIMEOUT);
            }
        });
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setHeadersFactory(ArrayHttpHeaders.FIELDS)
                .setTrailersFactory(ArrayHttpHeaders.TRAILERS)
                .setAllowDuplicateContentLengths(false)
                .setAllowPartialChunks(true);
        init(new StrictRequestDecoder(config), new ResponseEncoder());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        timerCtx = ctx;
        if (ctx.channel().isActive()) {
            headersTimer.start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        headersTimer.start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        headersTimer.stop();
        super.handlerRemoved(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        headersTimer.stop();
        super.channelInactive(ctx);
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    /** Netty's request decoder, rejecting Content-Length together with chunked Transfer-Encoding. */
    final class StrictRequestDecoder extends HttpRequestDecoder {
        private boolean inMessage; // between a request's headers and its end

        StrictRequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            if (!inMessage && buffer.isReadable()) {
                headersTimer.headersStarted();
            }
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest r) {
                    methods.add(r.method());
                    headersTimer.headersComplete();
                    inMessage = !(o instanceof LastHttpContent);
                } else if (o instanceof LastHttpContent) {
                    inMessage = false;
                }
            }
            if (!inMessage && buffer.isReadable()) {
                headersTimer.headersStarted(); // a pipelined request's first bytes
            }
        }

        /** The request line's target and version checked before Netty builds the request (RFC 9112 §3). */
        @Override
        protected HttpMessage createMessage(String[] initialLine) throws Exception {
            initialLine[2] = Http1RequestValidator.checkRequestLine(initialLine[1], initialLine[2]);
            return super.createMessage(initialLine);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.lookup(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
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

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            Http1Headers.encode(headers, buf);
        }
    }
}
