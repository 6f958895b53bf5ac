package io.outrigger.codec;

/** Kinds of downstream protocol errors a server codec reports to its connection manager (to count and log). */
public enum ProtocolError {
    /** An HTTP/1.1 request the codec refused (400, 414, 431, 505): the connection closes. */
    HTTP1_MALFORMED_REQUEST,
    /**
     * Request headers not complete within {@code request_headers_timeout}: HTTP/1.1 answers 408, HTTP/2 sends GOAWAY;
     * the connection closes.
     */
    REQUEST_HEADERS_TIMEOUT,
    /** An HTTP/2 connection error caused by the peer (GOAWAY with an error code). */
    HTTP2_CONNECTION_ERROR,
    /** An HTTP/2 stream error caused by the peer (RST_STREAM): a malformed request, a frame on a closed stream. */
    HTTP2_STREAM_ERROR
}
