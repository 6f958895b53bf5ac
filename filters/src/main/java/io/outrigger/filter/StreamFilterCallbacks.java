package io.outrigger.filter;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Consumer;

/**
 * What a filter may ask of the stream it runs on. Every method must be called on the stream's event
 * loop (filters run there; an asynchronous filter hops back with the executor it captured).
 */
public interface StreamFilterCallbacks {
    /** Facts about the stream. */
    StreamInfo streamInfo();

    /**
     * The stream's event loop: a filter that waits (a timer, an answer from elsewhere) resumes the stream on it.
     *
     * @throws UnsupportedOperationException where the stream has none (test doubles)
     */
    default io.netty.channel.EventLoop eventLoop() {
        throw new UnsupportedOperationException("no event loop");
    }

    /** Whether the server takes traffic: false while it drains (SIGTERM) or an operator failed it ({@code /healthcheck/fail}). */
    default boolean serverLive() {
        return true;
    }

    /**
     * The share of a cluster's hosts that are healthy (active health checks and outlier detection), in percent.
     *
     * @return 0..100, or -1 when there is no cluster of that name
     */
    default double clusterHealthyPercent(String cluster) {
        return -1;
    }

    /**
     * Records {@code key: value} under {@code namespace} in the stream's dynamic metadata, for later filters
     * ({@link StreamInfo#dynamicMetadata}); Envoy's {@code setDynamicMetadata}.
     *
     * @param value a map, list, string, number or boolean (not copied: do not change it afterwards)
     */
    default void setDynamicMetadata(String namespace, String key, Object value) {
    }

    /** Adds a response flag to the stream's access-log line (a filter that delayed it, say). */
    default void addResponseFlag(ResponseFlag flag) {
    }

    /**
     * This filter's settings for the route the request matched ({@code typed_per_filter_config}; the route's entry wins
     * over its virtual host's), as its factory's {@link HttpFilterConfigFactory#createRouteSpecificConfig} made them.
     * The route is looked up once per stream, from the request headers as they were when the first filter saw them.
     *
     * @param filterName the filter's name in {@code http_filters}
     * @return the settings, or {@code null} when the route (or no route) has none for it
     */
    default Object routeSpecificConfig(String filterName) {
        return null;
    }

    /**
     * Ends the stream with a locally generated response. If response headers already went downstream
     * the stream is reset instead. Filters after the caller do not see the request.
     *
     * @param status the response status
     * @param body   a short plain-text body (a newline is appended); empty: no body
     * @param flag   why, for the access log; {@code null} for a reply that is no failure (a CORS preflight)
     */
    default void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag) {
        sendLocalReply(status, body, flag, null);
    }

    /**
     * Ends the stream with a whole response the filter built — a cached one, say (Envoy's {@code encodeHeaders} /
     * {@code encodeData} from a decoder filter). It goes through the encoder filters from the start, as a local reply
     * does; filters after the caller do not see the request; whatever response was on its way (an upstream's, a local
     * reply whose headers have not gone downstream) is dropped. A HEAD request gets the headers only. If response
     * headers already went downstream the stream is reset instead.
     *
     * @param response status and headers; the stream owns them from here (encoder filters may change them)
     * @param body     the whole body, or {@code null} for none; ownership passes to the stream
     * @param trailers trailers after the body, or {@code null}
     * @throws UnsupportedOperationException where the stream cannot (test doubles); {@code body} is released
     */
    default void sendResponse(io.netty.handler.codec.http.HttpResponse response, io.netty.buffer.ByteBuf body,
            HttpHeaders trailers) {
        if (body != null) {
            body.release();
        }
        throw new UnsupportedOperationException("no responses here");
    }

    /**
     * As {@link #sendLocalReply(HttpResponseStatus, String, ResponseFlag)}, letting the caller add
     * headers to the reply.
     *
     * @param modifyHeaders changes the reply's headers before encoder filters run; may be {@code null}
     */
    void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modifyHeaders);
}
