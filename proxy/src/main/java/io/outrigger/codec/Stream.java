package io.outrigger.codec;

/**
 * The control side of one stream of a codec, shared by both directions (Envoy's {@code Http::Stream}):
 * reset, read backpressure and write watermarks. Confined to the connection's event loop.
 */
public interface Stream {
    /** Registers the stream's event receiver (one per stream; a later call replaces it). */
    void setCallbacks(StreamCallbacks callbacks);

    /**
     * Resets the stream: HTTP/2 and HTTP/3 send RST_STREAM, HTTP/1.1 closes the connection. No callback
     * of the stream is called afterwards. Idempotent.
     */
    void resetStream(StreamResetReason reason);

    /**
     * Adds ({@code true}) or removes ({@code false}) one reason to stop delivering this stream's incoming
     * data; calls must be balanced. HTTP/1.1 stops reading the socket; HTTP/2 stops returning flow-control
     * credit, so the peer stops sending on this stream only.
     */
    void readDisable(boolean disable);

    /** Whether the write side is below its high watermark (writes will not just queue). */
    boolean isWritable();

    /** The protocol as the access log names it: {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}. */
    String protocol();
}
