package io.outrigger.codec;

/**
 * What a server codec asks of the connection manager (Envoy's {@code ServerConnectionCallbacks}).
 */
public interface ServerConnectionCallbacks {
    /**
     * A new request stream begins.
     *
     * @param encoder where the stream's response goes
     * @return where the stream's request goes
     */
    RequestDecoder newStream(ResponseEncoder encoder);

    /**
     * The codec answered a request it could not parse (before any stream existed) and will close the
     * connection; nothing was forwarded. For the access log.
     *
     * @param status the HTTP status the codec answered with (400, 414, 431)
     */
    void onRejectedRequest(int status, String reason);
}
