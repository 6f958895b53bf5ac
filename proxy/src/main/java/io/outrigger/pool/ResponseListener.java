package io.outrigger.pool;

import io.netty.handler.codec.http.HttpObject;

/** The user of a leased connection: receives what the upstream sends. Called on the connection's event loop. */
public interface ResponseListener {
    /**
     * A decoded response part.
     *
     * @param msg an {@code HttpResponse}, {@code HttpContent} or {@code LastHttpContent}; ownership passes
     *            to the listener, which must release or forward it
     */
    void onResponseObject(HttpObject msg);

    /** The end of one read batch: a good moment to flush what was forwarded. */
    void onReadComplete();

    /** The upstream socket's writability changed (request-body backpressure). */
    void onWritabilityChanged(boolean writable);

    /** The connection closed while leased (reset by peer, premature close, error). */
    void onConnectionClosed();
}
