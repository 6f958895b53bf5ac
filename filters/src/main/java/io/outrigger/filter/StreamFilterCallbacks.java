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
     * Ends the stream with a locally generated response. If response headers already went downstream
     * the stream is reset instead. Filters after the caller do not see the request.
     *
     * @param status the response status
     * @param body   a short plain-text body (a newline is appended)
     * @param flag   why, for the access log
     */
    default void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag) {
        sendLocalReply(status, body, flag, null);
    }

    /**
     * As {@link #sendLocalReply(HttpResponseStatus, String, ResponseFlag)}, letting the caller add
     * headers to the reply.
     *
     * @param modifyHeaders changes the reply's headers before encoder filters run; may be {@code null}
     */
    void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modifyHeaders);
}
