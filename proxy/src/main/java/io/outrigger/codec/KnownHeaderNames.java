package io.outrigger.codec;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Interned header field names for the HTTP/1.1 decoders: a name received exactly as spelled here (byte for byte, so
 * the case a peer sent is kept on the next hop) is one shared {@link AsciiString} instead of a new string and byte
 * array per field. Names are the fields most requests and responses carry, in the two spellings seen in practice
 * (RFC 9110 registry case, as curl, browsers and nginx send them, and all lower case, as HTTP/2 gateways and many
 * frameworks send them). The HTTP/2 and HTTP/3 codecs, which send names in lower case, get an interned name's lower-case
 * twin from {@link #toLowerCase} without a copy. Immutable; safe to share between threads.
 */
public final class KnownHeaderNames {
    private static final String[] NAMES = {
        // request fields
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cookie", "Origin",
        "Referer", "Upgrade", "Expect", "TE", "If-None-Match", "If-Modified-Since", "X-Forwarded-For",
        "X-Forwarded-Proto", "X-Request-Id", "X-Real-IP", "Traceparent", "Tracestate", "Sec-WebSocket-Key",
        "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
        // response fields
        "Server", "Date", "Set-Cookie", "Location", "ETag", "Last-Modified", "Expires", "Vary", "Age",
        "Accept-Ranges", "Content-Encoding", "Content-Range", "Access-Control-Allow-Origin", "Keep-Alive",
        "Strict-Transport-Security", "X-Content-Type-Options", "Sec-WebSocket-Accept", "WWW-Authenticate",
        "Retry-After",
        // both
        "Connection", "Content-Type", "Content-Length", "Transfer-Encoding", "Cache-Control", "Pragma", "Trailer",
    };

    /** Interned names with an upper-case letter, to their interned lower-case spelling; read-only after class init. */
    private static final Map<AsciiString, AsciiString> LOWER = new IdentityHashMap<>();
    /** {@code BY_LENGTH[n]}: the interned names of n bytes. */
    private static final AsciiString[][] BY_LENGTH = table();

    private KnownHeaderNames() {
    }

    /**
     * The interned name equal byte for byte to {@code bytes[start, start + length)}, or {@code null} when the
     * name is not one of them (the caller makes its own).
     */
    public static AsciiString lookup(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        for (AsciiString name : BY_LENGTH[length]) {
            if (Arrays.equals(name.array(), 0, length, bytes, start, start + length)) {
                return name;
            }
        }
        return null;
    }

    /**
     * {@code name} in lower case: the interned lower-case name for an interned one, {@code name} itself when it is an
     * {@link AsciiString} without upper-case letters, else a new lower-case copy.
     */
    public static AsciiString toLowerCase(CharSequence name) {
        AsciiString a = AsciiString.of(name);
        if (isLowerCase(a)) {
            return a; // most names on a multiplexed hop (an identity lookup would first give a new name its hash)
        }
        AsciiString lower = LOWER.get(a);
        return lower != null ? lower : a.toLowerCase();
    }

    private static boolean isLowerCase(AsciiString a) {
        byte[] bytes = a.array();
        for (int i = a.arrayOffset(), end = i + a.length(); i < end; i++) {
            if (bytes[i] >= 'A' && bytes[i] <= 'Z') {
                return false;
            }
        }
        return true;
    }

    private static AsciiString[][] table() {
        int max = 0;
        for (String n : NAMES) {
            max = Math.max(max, n.length());
        }
        List<List<AsciiString>> buckets = new ArrayList<>();
        for (int i = 0; i <= max; i++) {
            buckets.add(new ArrayList<>());
        }
        for (String n : NAMES) {
            AsciiString name = AsciiString.cached(n);
            buckets.get(n.length()).add(name);
            String lower = n.toLowerCase(Locale.ROOT);
            if (!lower.equals(n)) {
                AsciiString lowerName = AsciiString.cached(lower);
                buckets.get(n.length()).add(lowerName);
                LOWER.put(name, lowerName);
            }
        }
        AsciiString[][] t = new AsciiString[max + 1][];
        for (int i = 0; i <= max; i++) {
            t[i] = buckets.get(i).toArray(new AsciiString[0]);
        }
        return t;
    }
}
