package io.outrigger.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * gRPC over HTTP/2 facts the proxy needs (the gRPC "PROTOCOL-HTTP2" document): how to recognise a gRPC
 * request, how an HTTP status becomes a {@code grpc-status}, and how {@code grpc-message} is encoded.
 */
public final class Grpc {
    public static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    public static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    public static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    /** gRPC status codes used by local replies (google.rpc.Code). */
    public static final int OK = 0, CANCELLED = 1, UNKNOWN = 2, DEADLINE_EXCEEDED = 4, PERMISSION_DENIED = 7,
            RESOURCE_EXHAUSTED = 8, UNIMPLEMENTED = 12, INTERNAL = 13, UNAVAILABLE = 14, UNAUTHENTICATED = 16;

    private Grpc() {
    }

    /** Whether the request is gRPC: {@code content-type} is {@code application/grpc} or {@code application/grpc+…}. */
    public static boolean isGrpc(HttpHeaders headers) {
        String ct = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return ct != null && ct.regionMatches(true, 0, "application/grpc", 0, 16)
                && (ct.length() == 16 || ct.charAt(16) == '+' || ct.charAt(16) == ';');
    }

    /**
     * The {@code grpc-status} a header block carries (a trailers-only response's headers, or trailers), as the
     * protocol spells it: one or two decimal digits.
     *
     * @return the status, 0–99; -1 when the field is absent, empty, longer than two characters or not a number
     */
    public static int status(HttpHeaders headers) {
        String v = headers.get(GRPC_STATUS);
        if (v == null || v.isEmpty() || v.length() > 2) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * The {@code grpc-status} for a local reply with HTTP {@code status}: 400 → INTERNAL, 401 → UNAUTHENTICATED,
     * 403 → PERMISSION_DENIED, 404 → UNIMPLEMENTED, 429 → RESOURCE_EXHAUSTED, 502 and 503 → UNAVAILABLE,
     * 504 → DEADLINE_EXCEEDED, anything else → UNKNOWN.
     */
    public static int statusFor(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429 -> RESOURCE_EXHAUSTED;
            case 502, 503 -> UNAVAILABLE;
            case 504 -> DEADLINE_EXCEEDED;
            default -> UNKNOWN;
        };
    }

    /** Trailers {@code grpc-status}/{@code grpc-message}. */
    static HttpHeaders trailers(int grpcStatus, String message) {
        HttpHeaders t = new DefaultHttpHeaders();
        t.set(GRPC_STATUS, grpcStatus);
        t.set(GRPC_MESSAGE, percentEncode(message));
        return t;
    }

    /**
     * Percent-encodes a {@code grpc-message}: bytes of the UTF-8 form outside 0x20–0x7E, and {@code %}, become
     * {@code %XX} (PROTOCOL-HTTP2, "Responses").
     */
    public static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /**
     * Parses {@code grpc-timeout} ("TimeoutValue TimeoutUnit": up to 8 digits, then H, M, S, m, u or n).
     *
     * @return the timeout in ms (rounded up, at least 1 for a non-zero value), or -1 when absent or malformed
     */
    public static long timeoutMs(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> n * 3_600_000L; // at most 8 digits: no overflow in ms
            case 'M' -> n * 60_000L;
            case 'S' -> n * 1_000L;
            case 'm' -> n;
            case 'u' -> (n + 999) / 1_000;   // rounded up: a deadline never becomes "none"
            case 'n' -> (n + 999_999) / 1_000_000;
            default -> -1;
        };
    }
}
