package io.outrigger.codec.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

/** The connection-specific header rules of HTTP/1.1 that the HTTP/1.1 codecs apply at the edge. */
public final class Http1Headers {
    private Http1Headers() {
    }

    /**
     * Removes hop-by-hop headers (RFC 9110 §7.6.1): those named in {@code Connection}, and Connection,
     * Proxy-Connection, Keep-Alive, Transfer-Encoding and Upgrade. {@code TE} is kept only as
     * {@code TE: trailers}, which gRPC needs end to end (as Envoy does).
     */
    public static void removeHopByHop(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !name.equalsIgnoreCase("te")) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(HttpHeaderNames.PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.UPGRADE);
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !(headers.getAll(HttpHeaderNames.TE).size() == 1
                && HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim()))) {
            headers.remove(HttpHeaderNames.TE);
        }
    }
}
