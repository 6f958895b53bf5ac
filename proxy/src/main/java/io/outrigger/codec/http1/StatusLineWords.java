package io.outrigger.codec.http1;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The words of an HTTP/1.1 status line (RFC 9112 §4: {@code HTTP-version SP status-code SP [ reason-phrase ]}) as
 * shared strings when they are the usual ones, so that decoding a response's status line allocates nothing — as
 * Netty's request decoder does for methods and versions: the versions {@code HTTP/1.1} and {@code HTTP/1.0}, every
 * three-digit status code (made at its first sight, then kept: at most 900 strings), and the reason phrases of the
 * common statuses as Netty's {@link HttpResponseStatus} spells them. Each lookup returns {@code null} for anything
 * else, and the decoder parses that word itself. Stateless; safe from any thread.
 */
final class StatusLineWords {
    private static final String[] CODES = new String[900]; // 100..999; filled at first sight (a benign race)
    /** The statuses whose phrases are shared, the usual answers first. */
    private static final HttpResponseStatus[] COMMON = {
        HttpResponseStatus.OK, HttpResponseStatus.NO_CONTENT, HttpResponseStatus.NOT_MODIFIED,
        HttpResponseStatus.NOT_FOUND, HttpResponseStatus.FOUND, HttpResponseStatus.MOVED_PERMANENTLY,
        HttpResponseStatus.CREATED, HttpResponseStatus.ACCEPTED, HttpResponseStatus.PARTIAL_CONTENT,
        HttpResponseStatus.SWITCHING_PROTOCOLS, HttpResponseStatus.CONTINUE, HttpResponseStatus.BAD_REQUEST,
        HttpResponseStatus.UNAUTHORIZED, HttpResponseStatus.FORBIDDEN, HttpResponseStatus.TOO_MANY_REQUESTS,
        HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpResponseStatus.BAD_GATEWAY,
        HttpResponseStatus.SERVICE_UNAVAILABLE, HttpResponseStatus.GATEWAY_TIMEOUT,
    };

    private StatusLineWords() {
    }

    /** {@code "HTTP/1.1"} or {@code "HTTP/1.0"} when {@code sb[start, start + length)} is one, else {@code null}. */
    static String version(byte[] sb, int start, int length) {
        if (same(sb, start, length, "HTTP/1.1")) {
            return "HTTP/1.1";
        }
        return same(sb, start, length, "HTTP/1.0") ? "HTTP/1.0" : null;
    }

    /** The status code when the bytes are three digits from 100 to 999, as a shared string; else {@code null}. */
    static String code(byte[] sb, int start, int length) {
        int code = length == 3 ? threeDigits(sb, start) : -1;
        if (code < 100) {
            return null;
        }
        String s = CODES[code - 100];
        if (s == null) {
            s = Integer.toString(code);
            CODES[code - 100] = s; // a String is safely published by its final fields
        }
        return s;
    }

    /** The shared reason phrase equal to the bytes (e.g. {@code "OK"}), or {@code null} when none is. */
    static String reason(byte[] sb, int start, int length) {
        for (HttpResponseStatus status : COMMON) {
            String phrase = status.reasonPhrase();
            if (same(sb, start, length, phrase)) {
                return phrase;
            }
        }
        return null;
    }

    private static int threeDigits(byte[] sb, int start) {
        int a = sb[start] - '0';
        int b = sb[start + 1] - '0';
        int c = sb[start + 2] - '0';
        return a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 ? a * 100 + b * 10 + c : -1;
    }

    private static boolean same(byte[] sb, int start, int length, String word) {
        if (length != word.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (sb[start + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
