package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.opentelemetry.api.trace.Span;
import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Host;
import io.outrigger.worker.Worker;

/**
 * What the router, as the terminal decoder filter, needs from its stream beyond an ordinary filter:
 * the worker's clusters, the response path, and flow control. Implemented by the active stream.
 */
public interface RouterStreamCallbacks extends StreamDecoderFilterCallbacks {
    EventLoop eventLoop();

    /** The worker serving this stream. */
    Worker worker();

    /** The listener's route table. */
    RouteTable routeTable();

    /** Response headers from upstream, into the encoder filters. */
    void encodeHeaders(HttpResponse response, boolean endStream);

    /**
     * A response body chunk, into the encoder filters.
     *
     * @param data ownership passes to the stream
     */
    void encodeData(ByteBuf data, boolean endStream);

    /** Response trailers (end of the response). */
    void encodeTrailers(HttpHeaders trailers);

    /** Stops ({@code true}) or resumes reading the downstream request; calls must be balanced. */
    void readDisable(boolean disable);

    /** Whether the downstream can take more response bytes now. */
    boolean downstreamWritable();

    /** Aborts the downstream stream after response headers were sent (HTTP/1.1: close; HTTP/2: RST_STREAM). */
    void resetStream(ResponseFlag flag);

    /** Adds a response flag for the access log (e.g. URX when retries ran out). */
    void addResponseFlag(ResponseFlag flag);

    /**
     * Records an attempt's upstream host and cluster for the access log (the last call wins).
     *
     * @param attempt the attempt's number, from 1 ({@code upstream_request_attempt_count})
     */
    void setUpstream(String cluster, Host host, int attempt);

    /**
     * Records how a hedged request ended, for the access log.
     *
     * @param hedges  hedged attempts started (at least 1)
     * @param outcome which attempt answered
     */
    void setHedged(int hedges, HedgeOutcome outcome);

    /** Records the number of request mirror copies started for this request (at least 1), for the access log. */
    void setMirrored(int copies);

    /** Records the matched route's path condition ({@code http.route} on the server span). */
    void setRoute(String route);

    /** The listener's {@code upgrade_configs} (a route's own entries override them). */
    java.util.List<io.outrigger.config.UpgradeConfig> listenerUpgradeConfigs();

    /**
     * The matched route's stream settings.
     *
     * @param idleTimeout  the route's {@code idle_timeout} replacing the listener's {@code stream_idle_timeout};
     *                     {@code null}: keep the listener's
     * @param sseKeepalive the route's {@code sse_keepalive_interval}, or {@code null}
     */
    void setRouteStreamSettings(java.time.Duration idleTimeout, java.time.Duration sseKeepalive);

    /** The server's tracing. */
    Tracing tracing();

    /** The stream's server span: the parent of every attempt's span ({@link Span#getInvalid()} when untraced). */
    Span span();
}
