package io.outrigger.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.trace.Span;
import io.outrigger.filter.FilterChainBuilder;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamEncoderFilter;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import io.outrigger.router.RouteTable;
import io.outrigger.router.RouterFilter;
import io.outrigger.router.RouterStreamCallbacks;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import io.outrigger.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One request/response exchange on a downstream connection (an HTTP/1.1 request or an HTTP/2 stream):
 * prepares the request headers, runs the decoder filters and the router, runs the encoder filters on
 * the response and writes it downstream. Confined to the connection's event loop.
 *
 * <p>Buffers: request chunks are owned by the {@link DecoderIteration} until released after the router
 * (which retains what it forwards); response chunks pass from the router to the {@link EncoderIteration}
 * and from there to the downstream channel's write.
 */
final class ActiveStream implements RouterStreamCallbacks, StreamEncoderFilterCallbacks {
    private final HttpConnectionManager connection;
    private final HttpRequest request;
    private final StreamInfoImpl info;
    private final StreamDecoderFilter[] decoders;
    private final StreamEncoderFilter[] encoders;
    private final RouterFilter router = new RouterFilter();
    private final DecoderIteration decoding;
    private EncoderIteration encoding;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final boolean head;
    private boolean requestComplete;
    private boolean responseHeadersSent;
    private boolean responseComplete;
    private boolean localReplySent;
    private boolean closeConnection;
    private boolean upstreamPaused;
    private boolean destroyed;
    private ChannelFuture lastWrite;
    private Span span = Span.getInvalid();

    ActiveStream(HttpConnectionManager connection, HttpRequest request) {
        this.connection = connection;
        this.request = request;
        this.version = request.protocolVersion();
        this.head = HttpMethod.HEAD.equals(request.method());
        this.keepAlive = connection.isHttp2() || HttpUtil.isKeepAlive(request);
        this.info = new StreamInfoImpl(request, connection.isHttp2() ? "HTTP/2" : version.text(),
                connection.listener().name(), connection.remoteAddress());
        List<StreamDecoderFilter> d = new ArrayList<>();
        List<StreamEncoderFilter> e = new ArrayList<>();
        FilterChainBuilder builder = new FilterChainBuilder() {
            @Override
            public void addDecoderFilter(StreamDecoderFilter filter) {
                d.add(filter);
            }

            @Override
            public void addEncoderFilter(StreamEncoderFilter filter) {
                e.add(filter);
            }
        };
        for (FilterFactory factory : connection.listener().filters()) {
            factory.createFilters(builder);
        }
        d.add(router);
        Collections.reverse(e); // responses meet the filters in reverse order
        this.decoders = d.toArray(new StreamDecoderFilter[0]);
        this.encoders = e.toArray(new StreamEncoderFilter[0]);
        for (StreamDecoderFilter f : decoders) {
            f.setDecoderFilterCallbacks(this);
        }
        for (StreamEncoderFilter f : encoders) {
            f.setEncoderFilterCallbacks(this);
        }
        long limit = connection.listener().bufferLimit();
        this.decoding = new DecoderIteration(decoders, limit, this);
        this.encoding = new EncoderIteration(encoders, limit, this);
    }

    // --- downstream request, from the connection manager ---

    void decodeHeaders(boolean endStream) {
        HttpHeaders h = request.headers();
        if (HttpUtil.is100ContinueExpected(request)) {
            h.remove(HttpHeaderNames.EXPECT);
            if (!endStream) {
                // Like Envoy, answer Expect: 100-continue here rather than wait for the upstream.
                connection.channel().writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
            }
        }
        ProxyHeaders.removeHopByHop(h);
        if (connection.isHttp2()) {
            ProxyHeaders.removeExtensionHeaders(h); // added by Netty's HTTP/2 to HTTP/1 conversion
        }
        ListenerContext listener = connection.listener();
        boolean internal = connection.internalPeer();
        info.requestId = ProxyHeaders.forwardRequest(h, connection.remoteAddress(), listener.scheme(),
                connection.clientCertificateDetails(), internal || listener.preserveExternalRequestId());
        if (listener.tracing().enabled()) {
            span = listener.tracing().startServerSpan(request, connection.isHttp2() ? "2" : version.minorVersion() == 0 ? "1.0" : "1.1",
                    listener.scheme(), connection.remoteAddress(), listener.name(),
                    internal && h.contains(ProxyHeaders.X_CLIENT_TRACE_ID));
            info.traceId = span.getSpanContext().getTraceId(); // kept by the span context: no copy
        }
        onRequestEnd(endStream);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, request, null, null, endStream));
    }

    /** @param data ownership passes to the stream */
    void decodeData(ByteBuf data, boolean endStream) {
        info.bytesReceived += data.readableBytes();
        onRequestEnd(endStream);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.DATA, null, data, null, endStream));
    }

    void decodeTrailers(HttpHeaders trailers) {
        onRequestEnd(true);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.TRAILERS, null, null, trailers, true));
    }

    private void onRequestEnd(boolean endStream) {
        requestComplete |= endStream;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    void onDownstreamReadComplete() {
        router.onDownstreamReadComplete();
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (writable && upstreamPaused) {
            upstreamPaused = false;
            router.onDownstreamWritabilityChanged(true);
        }
    }

    /** The downstream connection or stream went away before the response completed. */
    void onDownstreamReset() {
        if (!responseComplete && !destroyed) {
            info.addFlag(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
            destroy();
        }
    }

    /** The request turned out malformed mid-body (e.g. bad chunk framing). */
    void onDownstreamProtocolError(HttpResponseStatus status, String reason) {
        closeConnection = true;
        sendLocalReply(status, reason, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, null);
    }

    // --- response, from the router ---

    @Override
    public void encodeHeaders(HttpResponse response, boolean endStream) {
        if (localReplySent || destroyed) {
            return;
        }
        ProxyHeaders.removeHopByHop(response.headers());
        encoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, response, null, null, endStream));
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (localReplySent || destroyed) {
            data.release();
            return;
        }
        encoding.push(new FilterIteration.Frame(FilterIteration.Kind.DATA, null, data, null, endStream));
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (localReplySent || destroyed) {
            return;
        }
        encoding.push(new FilterIteration.Frame(FilterIteration.Kind.TRAILERS, null, null, trailers, true));
    }

    /** Writes a frame that passed the encoder filters; ownership of {@code f.data} passes to the channel. */
    void write(FilterIteration.Frame f) {
        if (destroyed) {
            if (f.data != null) {
                f.data.release();
            }
            return;
        }
        Channel ch = connection.channel();
        switch (f.kind) {
            case HEADERS -> {
                HttpResponse r = (HttpResponse) f.message;
                info.responseCode = r.status().code();
                if (connection.listener().echoRequestId() && info.requestId != null) {
                    r.headers().set(ProxyHeaders.X_REQUEST_ID, info.requestId);
                }
                boolean close = connection.isHttp2() ? closeConnection
                        : closeConnection || !requestComplete || !keepAlive || connection.isDraining();
                closeConnection = ResponseFraming.apply(r, f.endStream, connection.isHttp2(), version, head, close);
                responseHeadersSent = true;
                Object out = f.endStream ? new DefaultFullHttpResponse(r.protocolVersion(), r.status(),
                        Unpooled.EMPTY_BUFFER, r.headers(), EmptyHttpHeaders.INSTANCE) : r;
                lastWrite = writeMaybeLast(ch, out, f.endStream);
            }
            case DATA -> {
                info.bytesSent += f.data.readableBytes();
                lastWrite = writeMaybeLast(ch, f.endStream ? new DefaultLastHttpContent(f.data) : new DefaultHttpContent(f.data),
                        f.endStream);
            }
            case TRAILERS -> {
                DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                last.trailingHeaders().set(f.trailers);
                lastWrite = writeMaybeLast(ch, last, true);
            }
        }
        if (f.endStream) {
            onResponseComplete();
        } else if (!upstreamPaused && !ch.isWritable()) {
            upstreamPaused = true;
            router.onDownstreamWritabilityChanged(false);
        }
    }

    // Writes without a promise, except the end of a response after which the connection (or HTTP/2 stream)
    // must close: only then does anyone wait for the write.
    private ChannelFuture writeMaybeLast(Channel ch, Object msg, boolean end) {
        if (end && (closeConnection || !requestComplete || !keepAlive)) {
            return ch.write(msg);
        }
        ch.write(msg, ch.voidPromise());
        return null;
    }

    private void onResponseComplete() {
        responseComplete = true;
        connection.channel().flush();
        boolean close = closeConnection || !requestComplete;
        destroy();
        connection.onStreamComplete(this, close, lastWrite);
    }

    @Override
    public void flushDownstream() {
        connection.channel().flush();
    }

    @Override
    public boolean downstreamWritable() {
        return connection.channel().isWritable();
    }

    @Override
    public void readDisable(boolean disable) {
        connection.readDisable(disable);
    }

    @Override
    public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modify) {
        if (destroyed || responseComplete) {
            return;
        }
        info.addFlag(flag);
        if (responseHeadersSent || localReplySent) {
            resetStream(flag);
            return;
        }
        localReplySent = true;
        decoding.clear();
        encoding.clear();
        encoding = new EncoderIteration(encoders, connection.listener().bufferLimit(), this);
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : bytes.length);
        if (modify != null) {
            modify.accept(r.headers());
        }
        encoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, r, null, null, head));
        if (!head) {
            ByteBuf data = connection.channel().alloc().buffer(bytes.length).writeBytes(bytes);
            encoding.push(new FilterIteration.Frame(FilterIteration.Kind.DATA, null, data, null, true));
        }
    }

    @Override
    public void resetStream(ResponseFlag flag) {
        if (destroyed) {
            return;
        }
        info.addFlag(flag);
        destroy();
        connection.onStreamReset(this);
    }

    private void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        decoding.clear();
        encoding.clear();
        for (StreamDecoderFilter f : decoders) {
            f.onDestroy();
        }
        for (StreamEncoderFilter f : encoders) {
            if (!isDecoder(f)) { // a StreamFilter was destroyed above
                f.onDestroy();
            }
        }
        connection.listener().accessLog().log(info);
        if (span.getSpanContext().isValid()) {
            connection.listener().tracing().endServerSpan(span, info.method, info.responseCode, info.route, info.requestId,
                    info.upstreamCluster, info.upstreamHost == null ? null : info.upstreamHost.addressString(),
                    info.flags.isEmpty() ? null : AccessLog.flags(info));
        }
        connection.listener().metrics().onStream(info.protocol(), info.responseCode, System.nanoTime() - info.startNanos);
    }

    private boolean isDecoder(Object filter) {
        for (StreamDecoderFilter d : decoders) {
            if (d == filter) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void continueDecoding() {
        decoding.resume();
    }

    @Override
    public void continueEncoding() {
        encoding.resume();
    }

    // --- RouterStreamCallbacks ---

    @Override
    public EventLoop eventLoop() {
        return connection.channel().eventLoop();
    }

    @Override
    public Worker worker() {
        return connection.worker();
    }

    @Override
    public RouteTable routeTable() {
        return connection.listener().routeTable();
    }

    @Override
    public void addResponseFlag(ResponseFlag flag) {
        info.addFlag(flag);
    }

    @Override
    public void setUpstream(String cluster, Host host) {
        info.upstreamCluster = cluster;
        info.upstreamHost = host;
    }

    @Override
    public void setRoute(String route) {
        info.route = route;
    }

    @Override
    public Tracing tracing() {
        return connection.listener().tracing();
    }

    @Override
    public Span span() {
        return span;
    }

    @Override
    public StreamInfo streamInfo() {
        return info;
    }

    @Override
    public String toString() {
        return info.toString();
    }
}
