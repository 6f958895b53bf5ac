package io.outrigger.codec.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Re-establishes a response's framing for the downstream hop after hop-by-hop headers were removed
 * (RFC 9112 §6): chunked for HTTP/1.1 bodies of unknown length, close-delimited for HTTP/1.0, and
 * {@code Connection: close}/{@code keep-alive} as the connection's fate requires.
 */
final class ResponseFraming {
    private ResponseFraming() {
    }

    /**
     * @param endStream whether the response has no body
     * @param version   the downstream request's HTTP version
     * @param head      whether the request was HEAD (the response has no body on the wire)
     * @param close     whether the connection must close after this response
     * @return whether the connection must close after this response (an HTTP/1.0 body of unknown length)
     */
    static boolean apply(HttpResponse r, boolean endStream, HttpVersion version, boolean head, boolean close) {
        HttpHeaders h = r.headers();
        int code = r.status().code();
        boolean bodyAllowed = !head && code != 204 && code != 304 && code >= 200;
        boolean lengthKnown = HttpUtil.isContentLengthSet(r);
        if (endStream && bodyAllowed && !lengthKnown) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            lengthKnown = true;
        }
        r.setProtocolVersion(version);
        if (bodyAllowed && !lengthKnown) {
            if (version.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                close = true; // HTTP/1.0: the body ends when the connection does
            }
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!version.isKeepAliveDefault()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }
}
