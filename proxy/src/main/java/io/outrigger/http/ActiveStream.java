package io.outrigger.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.trace.Span;
import io.outrigger.codec.RequestDecoder;
import io.outrigger.codec.ResponseEncoder;
import io.outrigger.codec.StreamCallbacks;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.stats.DownstreamEvent;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import io.outrigger.router.RouteTable;
import io.outrigger.router.RouterStreamCallbacks;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import io.outrigger.worker.Worker;
import io.outrigger.config.UpgradeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One request/response exchange of a downstream connection, whatever its protocol (Envoy's
 * {@code ActiveStream}): the server codec delivers the request through {@link RequestDecoder}; this class
 * prepares the forwarding headers, runs the decoder filters and the router ({@link StreamFilters}), runs
 * the encoder filters on the response and hands it to the codec's {@link ResponseEncoder}. Confined to
 * the connection's event loop.
 *
 * <p>Buffers: request chunks are owned by the decoder iteration until released after the router (which
 * retains what it forwards); response chunks pass from the router to the encoder iteration and from there
 * to the codec.
 */
final class ActiveStream implements RequestDecoder, StreamCallbacks, RouterStreamCallbacks, StreamEncoderFilterCallbacks,
        StreamTimers.Owner {
    /** Where the stream is; the request side's progress is tracked apart ({@link #requestComplete}). */
    private enum State { OPEN, RESPONDING, LOCAL_REPLY, DONE }

    private final HttpConnectionManager connection;
    /** The listener's settings when this stream began: a reload applies to the streams that begin after it. */
    private final ListenerContext listener;
    private final ResponseEncoder encoder;
    private StreamFilters filters;
    private StreamInfoImpl info;
    private HttpRequest request;
    private boolean head;
    private boolean grpc;
    private boolean requestComplete;
    private boolean responseHeadersSent;
    private boolean upstreamPaused;
    /** Counts response restarts (local replies, filter responses): a reply replaced mid-way stops pushing its body. */
    private int responses;
    private State state = State.OPEN;
    private Span span = Span.getInvalid();
    private StreamTimers timers;
    /** The matched route's per-filter settings (empty: none, or the listener has none). */
    private java.util.Map<String, Object> routeFilterConfigs = java.util.Map.of();

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ActiveStream.class);
    private static final io.netty.util.AsciiString STRICT_TRANSPORT_SECURITY =
            io.netty.util.AsciiString.cached("strict-transport-security");

    ActiveStream(HttpConnectionManager connection, ResponseEncoder encoder) {
        this.connection = connection;
        this.listener = connection.listener();
        this.encoder = encoder;
        encoder.setCallbacks(this);
    }

    // --- downstream request, from the codec ---

    @Override
    public void decodeHeaders(HttpRequest request, boolean endStream) {
        try {
            onRequestHeaders(request, endStream);
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    private void onRequestHeaders(HttpRequest request, boolean endStream) {
        this.request = request;
        this.head = HttpMethod.HEAD.equals(request.method());
        HttpHeaders h = request.headers();
        this.grpc = Grpc.isGrpc(h);
        this.info = new StreamInfoImpl(request, encoder.protocol(), listener.name(), connection.remoteAddress(),
                connection.localAddress(), connection.peerCertificate());
        this.filters = new StreamFilters(this, listener);
        boolean internal = connection.internalPeer();
        info.requestId = ProxyHeaders.forwardRequest(h, connection.remoteIp(), listener.scheme(),
                connection.clientCertificateDetails(), internal || listener.preserveExternalRequestId());
        if (listener.tracing().enabled()) {
            span = listener.tracing().startServerSpan(request, networkProtocolVersion(), listener.scheme(),
                    connection.remoteAddress(), listener.name(), internal && h.contains(ProxyHeaders.X_CLIENT_TRACE_ID));
            info.traceId = span.getSpanContext().getTraceId(); // kept by the span context: no copy
        }
        requestComplete = endStream;
        timers = new StreamTimers(eventLoop(), listener.streamIdleTimeout(), this);
        if (listener.overload().stopAcceptingRequests()) {
            listener.metrics().downstream().count(DownstreamEvent.RQ_OVERLOAD_REJECT);
            sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", ResponseFlag.OVERLOAD_MANAGER, null);
            return;
        }
        if (listener.routeTable().hasFilterConfigs()) {
            // filters before the router read their per-route settings: the route as the request arrived (Envoy's
            // route cache); the router still matches after the filters, on the headers as they leave them
            io.outrigger.router.RouteEntry route = listener.routeTable().route(request);
            routeFilterConfigs = route == null ? java.util.Map.of() : route.filterConfigs();
            filters.applyRouteConfigs(routeFilterConfigs);
        }
        filters.decodeHeaders(request, endStream);
    }

    @Override
    public Object routeSpecificConfig(String filterName) {
        Object c = routeFilterConfigs.get(filterName);
        return c == io.outrigger.filter.FilterConfigDisabled.INSTANCE ? null : c;
    }

    // Envoy's stream idle timeout: 408 while the request is incomplete, 504 after; a reset once the response started
    @Override
    public void onStreamIdleTimeout() {
        if (state == State.DONE) {
            return;
        }
        listener.metrics().onStreamIdleTimeout();
        if (responseHeadersSent) {
            resetStream(ResponseFlag.STREAM_IDLE_TIMEOUT);
        } else {
            sendLocalReply(requestComplete ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.REQUEST_TIMEOUT,
                    "stream timeout", ResponseFlag.STREAM_IDLE_TIMEOUT, null);
        }
    }

    @Override
    public List<UpgradeConfig> listenerUpgradeConfigs() {
        return listener.upgradeConfigs();
    }

    @Override
    public void setRouteStreamSettings(Duration idleTimeout, Duration sseKeepalive) {
        timers.onRoute(idleTimeout, sseKeepalive);
    }

    // sse_keepalive_interval: a silent event stream gets an SSE comment line, which every SSE client ignores
    @Override
    public void onSseKeepalive() {
        if (state != State.RESPONDING) {
            return;
        }
        ByteBuf comment = connection.channel().alloc().buffer(3).writeBytes(SSE_COMMENT);
        info.bytesSent += 3;
        encoder.encodeData(comment, false);
        timers.onActivity();
    }

    private static final byte[] SSE_COMMENT = {':', '\n', '\n'};

    // semconv network.protocol.version: "1.0", "1.1", "2"
    private String networkProtocolVersion() {
        String p = encoder.protocol();
        return p.startsWith("HTTP/") ? p.substring(5) : p;
    }

    @Override
    public void decodeData(ByteBuf data, boolean endStream) {
        if (state == State.DONE) {
            data.release();
            return;
        }
        info.bytesReceived += data.readableBytes();
        requestComplete |= endStream;
        timers.onActivity();
        try {
            filters.decodeData(data, endStream);
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    @Override
    public void decodeTrailers(HttpHeaders trailers) {
        if (state == State.DONE) {
            return;
        }
        requestComplete = true;
        timers.onActivity();
        try {
            filters.decodeTrailers(trailers);
        } catch (RuntimeException e) {
            onInternalError(e);
        }
    }

    /**
     * A bug (a filter's or the router's exception) is contained to its stream: logged with its stack trace — it is
     * ours, not the client's — counted ({@code downstream_rq_internal_error}), and the stream answered 500 or reset;
     * the connection and its other streams go on.
     */
    private void onInternalError(RuntimeException e) {
        log.error("stream on listener '{}' failed: {}", listener.name(), e.toString(), e);
        listener.metrics().downstream().count(DownstreamEvent.RQ_INTERNAL_ERROR);
        if (state == State.DONE) {
            return;
        }
        if (!responseHeadersSent && info != null && filters != null) {
            try {
                sendLocalReply(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", ResponseFlag.LOCAL_RESET, null);
                return;
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
        }
        if (info != null) {
            info.addFlag(ResponseFlag.LOCAL_RESET);
        }
        encoder.resetStream(StreamResetReason.LOCAL_RESET);
        destroy();
    }

    @Override
    public void sendLocalReply(HttpResponseStatus status, String detail) {
        sendLocalReply(status, detail, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, null);
    }

    // --- StreamCallbacks: the downstream stream's events ---

    @Override
    public void onResetStream(StreamResetReason reason, String detail) {
        if (state != State.DONE) {
            info.addFlag(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
            destroy();
        }
    }

    @Override
    public void onAboveWriteBufferHighWatermark() {
        if (!upstreamPaused && state != State.DONE) {
            upstreamPaused = true;
            filters.router().onDownstreamWritabilityChanged(false);
        }
    }

    @Override
    public void onBelowWriteBufferLowWatermark() {
        if (upstreamPaused && state != State.DONE) {
            upstreamPaused = false;
            filters.router().onDownstreamWritabilityChanged(true);
        }
    }

    // --- response, from the router into the encoder filters ---

    @Override
    public void encodeHeaders(HttpResponse response, boolean endStream) {
        if (state != State.OPEN) {
            return;
        }
        state = State.RESPONDING;
        filters.encodeHeaders(response, endStream);
    }

    @Override
    public void encodeData(ByteBuf data, boolean endStream) {
        if (state != State.RESPONDING) {
            data.release();
            return;
        }
        filters.encodeData(data, endStream);
    }

    @Override
    public void encodeTrailers(HttpHeaders trailers) {
        if (state != State.RESPONDING) {
            return;
        }
        filters.encodeTrailers(trailers);
    }

    // --- what passed the encoder filters, to the codec ---

    void writeHeaders(HttpResponse r, boolean endStream) {
        if (state == State.DONE) {
            return;
        }
        info.responseCode = r.status().code();
        if (listener.echoRequestId() && info.requestId != null) {
            r.headers().set(ProxyHeaders.X_REQUEST_ID, info.requestId);
        }
        String hsts = listener.connection().strictTransportSecurity();
        if (hsts != null && !r.headers().contains(STRICT_TRANSPORT_SECURITY)) {
            r.headers().set(STRICT_TRANSPORT_SECURITY, hsts); // RFC 6797; TLS listeners only
        }
        responseHeadersSent = true;
        if (grpc && endStream) {
            info.grpcStatus = r.headers().get(Grpc.GRPC_STATUS); // trailers-only response
        }
        timers.onResponseHeaders(r, endStream);
        encoder.encodeHeaders(r, endStream);
        afterWrite(endStream);
    }

    /** @param data ownership passes to the codec */
    void writeData(ByteBuf data, boolean endStream) {
        if (state == State.DONE) {
            data.release();
            return;
        }
        info.bytesSent += data.readableBytes();
        timers.onResponseData();
        encoder.encodeData(data, endStream);
        afterWrite(endStream);
    }

    void writeTrailers(HttpHeaders trailers) {
        if (state == State.DONE) {
            return;
        }
        if (grpc) {
            info.grpcStatus = trailers.get(Grpc.GRPC_STATUS);
        }
        encoder.encodeTrailers(trailers);
        afterWrite(true);
    }

    private void afterWrite(boolean endStream) {
        if (endStream) {
            destroy();
        }
    }

    @Override
    public boolean downstreamWritable() {
        return encoder.isWritable();
    }

    @Override
    public void readDisable(boolean disable) {
        encoder.readDisable(disable);
    }

    boolean isHead() {
        return head;
    }

    @Override
    public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modify) {
        if (state == State.DONE) {
            return;
        }
        info.addFlag(flag);
        if (responseHeadersSent || state == State.LOCAL_REPLY) {
            resetStream(flag);
            return;
        }
        state = State.LOCAL_REPLY;
        filters.restartEncoding();
        int generation = ++responses;
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, grpc ? HttpResponseStatus.OK : status);
        if (grpc) {
            // a gRPC caller understands only gRPC statuses: a trailers-only response (Envoy does the same)
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, Grpc.APPLICATION_GRPC)
                    .set(Grpc.GRPC_STATUS, Grpc.statusFor(status.code()))
                    .set(Grpc.GRPC_MESSAGE, Grpc.percentEncode(body));
            if (modify != null) {
                modify.accept(r.headers());
            }
            filters.encodeHeaders(r, true);
            return;
        }
        byte[] bytes = body.isEmpty() ? new byte[0] : (body + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        }
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : bytes.length);
        if (modify != null) {
            modify.accept(r.headers());
        }
        filters.encodeHeaders(r, head || bytes.length == 0);
        if (!head && bytes.length > 0 && state != State.DONE && generation == responses) {
            ByteBuf data = connection.channel().alloc().buffer(bytes.length).writeBytes(bytes);
            filters.encodeData(data, true);
        }
    }

    @Override
    public void sendResponse(HttpResponse r, ByteBuf body, HttpHeaders trailers) {
        if (state == State.DONE || responseHeadersSent) {
            if (body != null) {
                body.release();
            }
            if (state != State.DONE) {
                resetStream(ResponseFlag.LOCAL_RESET);
            }
            return;
        }
        // also replaces a local reply still inside the encoder filters (a cache serving stale content on a 503)
        state = State.LOCAL_REPLY;
        filters.restartEncoding();
        int generation = ++responses;
        boolean withBody = !head && body != null && body.isReadable();
        if (body != null && !withBody) {
            body.release();
        }
        boolean withTrailers = !head && trailers != null;
        filters.encodeHeaders(r, !withBody && !withTrailers);
        if (withBody) {
            if (state == State.DONE || generation != responses) {
                body.release();
            } else {
                filters.encodeData(body, !withTrailers);
            }
        }
        if (withTrailers && state != State.DONE && generation == responses) {
            filters.encodeTrailers(trailers);
        }
    }

    @Override
    public void resetStream(ResponseFlag flag) {
        if (state == State.DONE) {
            return;
        }
        info.addFlag(flag);
        if (grpc && responseHeadersSent) {
            // the response already started: end it with a gRPC status rather than a bare reset, so the caller
            // sees UNAVAILABLE (or DEADLINE_EXCEEDED) instead of an opaque stream error
            int code = flag == ResponseFlag.UPSTREAM_REQUEST_TIMEOUT || flag == ResponseFlag.STREAM_IDLE_TIMEOUT
                    || flag == ResponseFlag.UPSTREAM_MAX_STREAM_DURATION_REACHED ? Grpc.DEADLINE_EXCEEDED : Grpc.UNAVAILABLE;
            HttpHeaders t = Grpc.trailers(code, "upstream stream ended: " + flag.code());
            info.grpcStatus = Integer.toString(code);
            encoder.encodeTrailers(t);
            destroy();
            return;
        }
        destroy();
        encoder.resetStream(StreamResetReason.LOCAL_RESET);
    }

    private static long parseOr(String s, long dflt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private void destroy() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (timers != null) {
            timers.cancel();
        }
        if (filters == null) {
            return; // reset before the request headers arrived
        }
        filters.destroy();
        listener.accessLog().log(info);
        if (info.grpcStatus != null) {
            listener.metrics().onGrpcStatus(info.grpcStatus);
        }
        if (span.isRecording() && info.grpcStatus != null) {
            span.setAttribute("rpc.grpc.status_code", parseOr(info.grpcStatus, -1)); // semconv RPC attribute
            span.setAttribute("rpc.system", "grpc");
        }
        if (span.getSpanContext().isValid()) {
            listener.tracing().endServerSpan(span, info.method, info.responseCode, info.route, info.requestId,
                    info.upstreamCluster, info.upstreamHost == null ? null : info.upstreamHost.addressString(),
                    info.flags.isEmpty() ? null : AccessLog.flags(info));
        }
        listener.metrics().onStream(info.protocol(), info.responseCode, System.nanoTime() - info.startNanos);
    }

    // --- RouterStreamCallbacks ---

    @Override
    public void continueDecoding() {
        filters.continueDecoding();
    }

    @Override
    public void setDecoderBufferLimit(long bytes) {
        filters.setDecoderBufferLimit(bytes);
    }

    @Override
    public void replaceDecodingData(ByteBuf data) {
        filters.replaceDecodingData(data);
    }

    @Override
    public void replaceEncodingData(ByteBuf data) {
        filters.replaceEncodingData(data);
    }

    @Override
    public void addEncodedDataBeforeTrailers(ByteBuf data) {
        filters.addEncodedDataBeforeTrailers(data);
    }

    @Override
    public void continueEncoding() {
        filters.continueEncoding();
    }

    @Override
    public EventLoop eventLoop() {
        return connection.channel().eventLoop();
    }

    @Override
    public Worker worker() {
        return connection.worker();
    }

    @Override
    public boolean serverLive() {
        return listener.serverLive().getAsBoolean();
    }

    @Override
    public double clusterHealthyPercent(String cluster) {
        io.outrigger.worker.ThreadLocalCluster c = worker().cluster(cluster);
        if (c == null) {
            return -1;
        }
        java.util.List<io.outrigger.upstream.Host> hosts = c.cluster().hosts();
        if (hosts.isEmpty()) {
            return 0;
        }
        int healthy = 0;
        for (int i = 0; i < hosts.size(); i++) {
            healthy += hosts.get(i).health().healthy() ? 1 : 0;
        }
        return 100.0 * healthy / hosts.size();
    }

    @Override
    public RouteTable routeTable() {
        return listener.routeTable();
    }

    @Override
    public void setDynamicMetadata(String namespace, String key, Object value) {
        info.setDynamicMetadata(namespace, key, value);
    }

    @Override
    public void addResponseFlag(ResponseFlag flag) {
        info.addFlag(flag);
    }

    @Override
    public void setUpstream(String cluster, Host host, int attempt) {
        info.upstreamCluster = cluster;
        info.upstreamHost = host;
        info.attemptCount = attempt;
    }

    @Override
    public void setHedged(int hedges, io.outrigger.router.HedgeOutcome outcome) {
        info.hedges = hedges;
        info.hedgeOutcome = outcome;
    }

    @Override
    public void setMirrored(int copies) {
        info.mirrored = copies;
    }

    @Override
    public void setRoute(String route) {
        info.route = route;
    }

    @Override
    public Tracing tracing() {
        return listener.tracing();
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
        return info == null ? "stream" : info.toString();
    }
}
