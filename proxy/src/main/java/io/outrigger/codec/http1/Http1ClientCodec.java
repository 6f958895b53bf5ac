package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import io.outrigger.codec.ArrayHttpHeaders;
import io.outrigger.codec.KnownHeaderNames;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 client codec of an upstream connection: Netty's request encoder and response decoder, paired the way
 * Netty's {@code HttpClientCodec} pairs them (a response to {@code HEAD} has no body, RFC 9110 §9.3.2; after a 2xx
 * to {@code CONNECT} the bytes that follow are the tunnel's, RFC 9110 §9.3.6, and pass through undecoded), with the
 * response's header names interned ({@link KnownHeaderNames}) instead of two objects per field, and headers and
 * trailers held in {@link ArrayHttpHeaders} (one array per message instead of Netty's hash table and entry objects).
 *
 * <p>Decoder limits (Netty's defaults, as {@code HttpClientCodec}): status line 4,096 bytes, header block 8,192
 * bytes, body parts of at most 8,192 bytes; header names and values are validated (RFC 9110 §5.5). A malformed
 * response comes out as a message whose {@code decoderResult()} failed. Messages are Netty's
 * ({@code HttpResponse}, {@code HttpContent}); after a tunnel opened, raw {@code ByteBuf}s.
 */
public final class Http1ClientCodec extends CombinedChannelDuplexHandler<Http1ClientCodec.ResponseDecoder,
        Http1ClientCodec.RequestEncoder> {
    /** Methods of the requests written and not yet answered, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
    /** A tunnel opened: decoding stopped, bytes pass through. */
    private boolean tunnel;

    public Http1ClientCodec() {
        init(new ResponseDecoder(new HttpDecoderConfig().setHeadersFactory(ArrayHttpHeaders.FIELDS)
                .setTrailersFactory(ArrayHttpHeaders.TRAILERS)), new RequestEncoder());
    }

    /** Records each request's method so its response is framed by it. */
    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest r) {
                methods.add(r.method());
            }
            super.encode(ctx, msg, out);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            Http1Headers.encode(headers, buf);
        }
    }

    /** Netty's response decoder, told which request each response answers and interning header names. */
    final class ResponseDecoder extends HttpResponseDecoder {
        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (tunnel) {
                int readable = actualReadableBytes();
                if (readable > 0) {
                    out.add(buffer.readBytes(readable));
                }
                return;
            }
            super.decode(ctx, buffer, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // interim: the request's final response is still to come
            }
            HttpMethod method = methods.poll(); // null: a response nobody asked for (the connection is closed then)
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && response.status().codeClass() == HttpStatusClass.SUCCESS) {
                tunnel = true;
                methods.clear();
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.lookup(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        // The status line's three words (RFC 9112 §4) as shared strings when they are the usual ones
        // (StatusLineWords): three strings and their arrays less per response.

        @Override
        protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
            String shared = StatusLineWords.version(sb, start, length);
            return shared != null ? shared : super.splitFirstWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
            String shared = StatusLineWords.code(sb, start, length);
            return shared != null ? shared : super.splitSecondWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
            String shared = StatusLineWords.reason(sb, start, length);
            return shared != null ? shared : super.splitThirdWordInitialLine(sb, start, length);
        }
    }
}
