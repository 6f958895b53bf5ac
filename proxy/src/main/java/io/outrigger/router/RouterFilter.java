package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.pool.PoolFailureReason;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.lb.LoadBalancerContext;
import io.outrigger.worker.ThreadLocalCluster;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal decoder filter (Envoy's router filter): matches the route, computes the hash key, picks
 * a host from this worker's cluster, and runs one {@link UpstreamRequest}. It owns the route timeout
 * and turns upstream failures into local replies. Per stream; confined to the stream's event loop.
 */
public final class RouterFilter implements StreamDecoderFilter, LoadBalancerContext {
    private static final Logger log = LoggerFactory.getLogger(RouterFilter.class);
    static final String OVERLOADED_HEADER = "x-outrigger-overloaded";

    private RouterStreamCallbacks callbacks;
    private UpstreamRequest upstreamRequest;
    private ScheduledFuture<?> timeout;
    private RouteEntry route;
    private final long[] hash = new long[1];
    private boolean hasHash;
    private boolean responseStarted;
    private boolean done;

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = (RouterStreamCallbacks) callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        route = callbacks.routeTable().route(request);
        if (route == null) {
            callbacks.sendLocalReply(HttpResponseStatus.NOT_FOUND, "no route for " + RouteTable.pathOf(request.uri()),
                    ResponseFlag.NO_ROUTE_FOUND);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        ThreadLocalCluster cluster = callbacks.worker().cluster(route.action().cluster());
        if (cluster == null) {
            callbacks.sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "unknown cluster", ResponseFlag.NO_HEALTHY_UPSTREAM);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        hasHash = HashKey.compute(route.action().hashPolicy(), request, callbacks.streamInfo().downstreamRemoteAddress(), hash);
        Host host = cluster.chooseHost(this);
        if (host == null) {
            callbacks.sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream", ResponseFlag.NO_HEALTHY_UPSTREAM);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        callbacks.setUpstream(cluster.cluster().name(), host);
        prepareUpstreamRequest(request, endStream);
        upstreamRequest = new UpstreamRequest(this, request, endStream);
        if (endStream) {
            onRequestComplete();
        }
        upstreamRequest.start(cluster.connectionPool(host));
        return FilterHeadersStatus.CONTINUE;
    }

    private void prepareUpstreamRequest(HttpRequest request, boolean endStream) {
        request.setUri(route.rewritePath(request.uri()));
        if (route.action().hostRewriteLiteral() != null) {
            request.headers().set(HttpHeaderNames.HOST, route.action().hostRewriteLiteral());
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        // Framing for the upstream HTTP/1.1 message: hop-by-hop headers were removed downstream.
        if (!HttpUtil.isContentLengthSet(request)) {
            if (!endStream) {
                HttpUtil.setTransferEncodingChunked(request, true);
            } else if (expectsBody(request.method())) {
                request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
        }
    }

    private static boolean expectsBody(HttpMethod m) {
        return m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
    }

    @Override
    public FilterDataStatus decodeData(ByteBuf data, boolean endStream) {
        if (upstreamRequest != null) {
            upstreamRequest.sendData(data.retain(), endStream);
            if (endStream) {
                onRequestComplete();
            }
        }
        return FilterDataStatus.CONTINUE;
    }

    @Override
    public FilterTrailersStatus decodeTrailers(HttpHeaders trailers) {
        if (upstreamRequest != null) {
            upstreamRequest.sendTrailers(trailers);
            onRequestComplete();
        }
        return FilterTrailersStatus.CONTINUE;
    }

    // Envoy: the route timeout counts from the end of the downstream request.
    private void onRequestComplete() {
        long ms = route.action().timeout().toMillis();
        if (ms > 0 && timeout == null && !done) {
            timeout = callbacks.eventLoop().schedule(this::onTimeout, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void onTimeout() {
        timeout = null;
        if (done) {
            return;
        }
        log.debug("route timeout after {} for {}", route.action().timeout(), callbacks.streamInfo());
        resetUpstream();
        if (responseStarted) {
            done = true;
            callbacks.resetStream(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
        } else {
            finishWithLocalReply(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout", ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
        }
    }

    /** Called by the active stream when the downstream can take bytes again (or not). */
    public void onDownstreamWritabilityChanged(boolean writable) {
        if (upstreamRequest != null) {
            upstreamRequest.setUpstreamReading(writable);
        }
    }

    /** End of a downstream read batch: flush what was written upstream. */
    public void onDownstreamReadComplete() {
        if (upstreamRequest != null) {
            upstreamRequest.flush();
        }
    }

    @Override
    public void onDestroy() {
        cancelTimeout();
        if (!done) {
            done = true;
            resetUpstream();
        }
    }

    // --- from UpstreamRequest ---

    RouterStreamCallbacks callbacks() {
        return callbacks;
    }

    void onPoolFailure(PoolFailureReason reason, String detail) {
        log.debug("pool failure {}: {}", reason, detail);
        upstreamRequest = null;
        if (reason == PoolFailureReason.OVERFLOW) {
            finishWithLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream connection pool overflow",
                    ResponseFlag.UPSTREAM_OVERFLOW, true);
        } else {
            finishWithLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "upstream connect error or disconnect/reset before headers", ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
        }
    }

    void onUpstreamHeaders(HttpResponse response, boolean endStream) {
        responseStarted = true;
        if (endStream) {
            onUpstreamComplete();
        }
        callbacks.encodeHeaders(response, endStream);
    }

    void onUpstreamData(ByteBuf data, boolean endStream) {
        if (endStream) {
            onUpstreamComplete();
        }
        callbacks.encodeData(data, endStream);
    }

    void onUpstreamTrailers(HttpHeaders trailers) {
        onUpstreamComplete();
        callbacks.encodeTrailers(trailers);
    }

    private void onUpstreamComplete() {
        done = true;
        upstreamRequest = null;
        cancelTimeout();
    }

    void onUpstreamReset(ResponseFlag flag, String detail) {
        log.debug("upstream reset ({}): {}", flag.code(), detail);
        upstreamRequest = null;
        if (done) {
            return;
        }
        if (responseStarted) {
            done = true;
            cancelTimeout();
            callbacks.resetStream(flag);
        } else {
            finishWithLocalReply(HttpResponseStatus.BAD_GATEWAY, "upstream connect error or disconnect/reset before headers", flag);
        }
    }

    private void finishWithLocalReply(HttpResponseStatus status, String body, ResponseFlag flag) {
        finishWithLocalReply(status, body, flag, false);
    }

    private void finishWithLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, boolean overloaded) {
        done = true;
        cancelTimeout();
        callbacks.sendLocalReply(status, body, flag, overloaded ? h -> h.set(OVERLOADED_HEADER, "true") : null);
    }

    private void resetUpstream() {
        UpstreamRequest u = upstreamRequest;
        upstreamRequest = null;
        if (u != null) {
            u.reset();
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    // --- LoadBalancerContext ---

    @Override
    public boolean hasHashKey() {
        return hasHash;
    }

    @Override
    public long hashKey() {
        return hash[0];
    }
}
