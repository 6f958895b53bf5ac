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
import io.outrigger.filter.FilterChainBuilder;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamEncoderFilter;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import io.outrigger.router.RouteTable;
import io.outrigger.router.RouterFilter;
import io.outrigger.router.RouterStreamCallbacks;
import io.outrigger.upstream.Host;
import io.outrigger.worker.Worker;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One request/response exchange on a downstream connection (an HTTP/1.1 request or an HTTP/2 stream):
 * prepares the request headers, runs the decoder filters and the router, runs the encoder filters on
 * the response and writes it downstream with HTTP/1.1 framing where needed. Confined to the
 * connection's event loop.
 */
final class ActiveStream implements RouterStreamCallbacks, StreamEncoderFilterCallbacks, StreamInfo {
    private final HttpConnectionManager connection;
    private final HttpRequest request;
    private final StreamDecoderFilter[] decoders;
    private final StreamEncoderFilter[] encoders;
    private final RouterFilter router = new RouterFilter();
    private final FilterIteration decoding;
    private FilterIteration encoding;
    final long startMillis = System.currentTimeMillis();
    final long startNanos = System.nanoTime();
    final String method;
    final String path;
    final HttpVersion version;
    String requestId;
    int responseCode;
    long bytesReceived;
    long bytesSent;
    String upstreamCluster;
    Host upstreamHost;
    final List<ResponseFlag> flags = new ArrayList<>(1);
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

    ActiveStream(HttpConnectionManager connection, HttpRequest request) {
        this.connection = connection;
        this.request = request;
        this.method = request.method().name();
        this.path = request.uri();
        this.version = request.protocolVersion();
        this.head = HttpMethod.HEAD.equals(request.method());
        this.keepAlive = connection.isHttp2() || HttpUtil.isKeepAlive(request);
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
        for (var factory : connection.listener().filters()) {
            factory.createFilters(builder);
        }
        d.add(router);
        Collections.reverse(e);
        this.decoders = d.toArray(new StreamDecoderFilter[0]);
        this.encoders = e.toArray(new StreamEncoderFilter[0]);
        for (StreamDecoderFilter f : decoders) {
            f.setDecoderFilterCallbacks(this);
        }
        for (StreamEncoderFilter f : encoders) {
            f.setEncoderFilterCallbacks(this);
        }
        this.decoding = new Decoding();
        this.encoding = new Encoding();
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
        ProxyHeaders.removeExtensionHeaders(h);
        requestId = ProxyHeaders.forwardRequest(h, connection.remoteAddress(), connection.listener().scheme());
        onRequestEnd(endStream);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, request, null, null, endStream));
    }

    /** @param data ownership passes to the stream */
    void decodeData(ByteBuf data, boolean endStream) {
        bytesReceived += data.readableBytes();
        onRequestEnd(endStream);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.DATA, null, data, null, endStream));
    }

    void decodeTrailers(HttpHeaders trailers) {
        onRequestEnd(true);
        decoding.push(new FilterIteration.Frame(FilterIteration.Kind.TRAILERS, null, null, trailers, true));
    }

    private void onRequestEnd(boolean endStream) {
        if (endStream && !requestComplete) {
            requestComplete = true;
            connection.onRequestComplete(this);
        }
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
            flags.add(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
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
        ProxyHeaders.sanitizeResponse(response);
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

    private void write(FilterIteration.Frame f) {
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
                responseCode = r.status().code();
                prepareFraming(r, f.endStream);
                responseHeadersSent = true;
                Object out = f.endStream ? new DefaultFullHttpResponse(r.protocolVersion(), r.status(),
                        Unpooled.EMPTY_BUFFER, r.headers(), EmptyHttpHeaders.INSTANCE) : r;
                lastWrite = ch.write(out);
            }
            case DATA -> {
                bytesSent += f.data.readableBytes();
                lastWrite = ch.write(f.endStream ? new DefaultLastHttpContent(f.data) : new DefaultHttpContent(f.data));
            }
            case TRAILERS -> {
                DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                last.trailingHeaders().set(f.trailers);
                lastWrite = ch.write(last);
            }
        }
        if (f.endStream) {
            onResponseComplete();
        } else if (!upstreamPaused && !ch.isWritable()) {
            upstreamPaused = true;
            router.onDownstreamWritabilityChanged(false);
        }
    }

    private void prepareFraming(HttpResponse r, boolean endStream) {
        HttpHeaders h = r.headers();
        int code = r.status().code();
        boolean bodyAllowed = !head && code != 204 && code != 304 && code >= 200;
        if (!connection.isHttp2()) {
            r.setProtocolVersion(version);
            if (!endStream && bodyAllowed && !HttpUtil.isContentLengthSet(r)) {
                if (version.equals(HttpVersion.HTTP_1_1)) {
                    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                } else {
                    closeConnection = true; // HTTP/1.0: the body ends when the connection does
                }
            }
            if (!requestComplete || !keepAlive) {
                closeConnection = true;
            }
            if (closeConnection || connection.isDraining()) {
                closeConnection = true;
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!version.isKeepAliveDefault()) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        if (endStream && bodyAllowed && !HttpUtil.isContentLengthSet(r)) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        }
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
        flags.add(flag);
        if (responseHeadersSent || localReplySent) {
            resetStream(flag);
            return;
        }
        localReplySent = true;
        decoding.clear();
        encoding.clear();
        encoding = new Encoding();
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : bytes.length);
        if (modify != null) {
            modify.accept(r.headers());
        }
        if (head) {
            encoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, r, null, null, true));
        } else {
            encoding.push(new FilterIteration.Frame(FilterIteration.Kind.HEADERS, r, null, null, false));
            ByteBuf data = connection.channel().alloc().buffer(bytes.length).writeBytes(bytes);
            encoding.push(new FilterIteration.Frame(FilterIteration.Kind.DATA, null, data, null, true));
        }
    }

    @Override
    public void resetStream(ResponseFlag flag) {
        if (destroyed) {
            return;
        }
        if (!flags.contains(flag)) {
            flags.add(flag);
        }
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
        AccessLog.log(this);
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

    // --- RouterStreamCallbacks / StreamInfo ---

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
    public void setUpstream(String cluster, Host host) {
        this.upstreamCluster = cluster;
        this.upstreamHost = host;
    }

    @Override
    public StreamInfo streamInfo() {
        return this;
    }

    @Override
    public SocketAddress downstreamRemoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public String protocol() {
        return connection.isHttp2() ? "HTTP/2" : version.text();
    }

    @Override
    public String listenerName() {
        return connection.listener().name();
    }

    HttpHeaders requestHeaders() {
        return request.headers();
    }

    @Override
    public String toString() {
        return method + ' ' + path + " (" + requestId + ')';
    }

    // --- the two filter iterations ---

    private final class Decoding extends FilterIteration {
        Decoding() {
            super(decoders.length, connection.listener().bufferLimit());
        }

        @Override
        Outcome invoke(int i, Frame f) {
            StreamDecoderFilter filter = decoders[i];
            return switch (f.kind) {
                case HEADERS -> filter.decodeHeaders((HttpRequest) f.message, f.endStream) == FilterHeadersStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
                case DATA -> filter.decodeData(f.data, f.endStream) == FilterDataStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
                case TRAILERS -> filter.decodeTrailers(f.trailers) == FilterTrailersStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
            };
        }

        @Override
        void terminal(Frame f) {
            // The router (the last filter) retained what it forwarded.
            if (f.data != null) {
                f.data.release();
            }
        }

        @Override
        void onBufferOverflow() {
            sendLocalReply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large to buffer",
                    ResponseFlag.LOCAL_RESET, null);
        }
    }

    private final class Encoding extends FilterIteration {
        Encoding() {
            super(encoders.length, connection.listener().bufferLimit());
        }

        @Override
        Outcome invoke(int i, Frame f) {
            StreamEncoderFilter filter = encoders[i];
            return switch (f.kind) {
                case HEADERS -> filter.encodeHeaders((HttpResponse) f.message, f.endStream) == FilterHeadersStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
                case DATA -> filter.encodeData(f.data, f.endStream) == FilterDataStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
                case TRAILERS -> filter.encodeTrailers(f.trailers) == FilterTrailersStatus.CONTINUE
                        ? Outcome.CONTINUE : Outcome.STOP;
            };
        }

        @Override
        void terminal(Frame f) {
            write(f);
        }

        @Override
        void onBufferOverflow() {
            resetStream(ResponseFlag.LOCAL_RESET);
        }
    }
}
