package io.outrigger.filter;

import java.net.SocketAddress;

/** Read-only facts about the stream a filter runs on. */
public interface StreamInfo {
    /** The downstream peer's address (the client). */
    SocketAddress downstreamRemoteAddress();

    /** The downstream protocol: {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2}. */
    String protocol();

    /** The listener's name. */
    String listenerName();
}
