package io.outrigger.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The header changes every proxied message gets, in both directions. */
final class ProxyHeaders {
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_CLIENT_CERT = AsciiString.cached("x-forwarded-client-cert");
    static final AsciiString X_CLIENT_TRACE_ID = AsciiString.cached("x-client-trace-id");

    private ProxyHeaders() {
    }

    /**
     * Sets the forwarding headers on a request: appends the client IP to {@code x-forwarded-for}, sets
     * {@code x-forwarded-proto}, replaces any {@code x-forwarded-client-cert} the client sent with the
     * verified client certificate's details (or removes it), and generates {@code x-request-id} (a random
     * UUID) when absent or not trusted.
     *
     * @param remoteIp   the client's IP as text (made once per connection), or {@code null} for a non-IP peer
     * @param clientCert the connection's XFCC value, or {@code null} without a verified client certificate
     * @param keepRequestId whether a received {@code x-request-id} is kept (the peer is a trusted hop)
     * @return the request id
     */
    static String forwardRequest(HttpHeaders headers, String remoteIp, String scheme, String clientCert,
                                 boolean keepRequestId) {
        if (clientCert != null) {
            headers.set(X_FORWARDED_CLIENT_CERT, clientCert);
        } else {
            headers.remove(X_FORWARDED_CLIENT_CERT);
        }
        if (remoteIp != null) {
            String xff = headers.get(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? remoteIp : xff + ", " + remoteIp);
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        String id = keepRequestId ? headers.get(X_REQUEST_ID) : null;
        if (id == null || id.isEmpty()) {
            id = randomUuid();
            headers.set(X_REQUEST_ID, id);
        }
        return id;
    }

    /** A version-4 UUID from the thread-local generator (no SecureRandom contention on the hot path). */
    static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
