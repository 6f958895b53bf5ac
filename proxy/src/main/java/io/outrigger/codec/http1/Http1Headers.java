package io.outrigger.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import io.outrigger.codec.ArrayHttpHeaders;

/** The connection-specific header rules of HTTP/1.1 that the HTTP/1.1 codecs apply at the edge. */
public final class Http1Headers {
    private static final short COLON_SPACE = (':' << 8) | ' ';
    private static final short CRLF = ('\r' << 8) | '\n';

    private Http1Headers() {
    }

    /**
     * Writes the field lines of a header block (RFC 9112 §5: {@code name: value CRLF} each, in order) to {@code out}:
     * for {@link ArrayHttpHeaders} straight from the array, where Netty's encoder makes an iterator and an entry per
     * field. Names and values are written as US-ASCII bytes, as Netty's encoder does (validated containers hold
     * nothing else).
     *
     * @param out the buffer written to; the caller keeps owning it
     */
    public static void encode(HttpHeaders headers, ByteBuf out) {
        if (headers instanceof ArrayHttpHeaders a) {
            for (int i = 0, n = a.size(); i < n; i++) {
                encodeField(a.nameAt(i), a.valueAt(i), out);
            }
            return;
        }
        java.util.Iterator<java.util.Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            java.util.Map.Entry<CharSequence, CharSequence> field = it.next();
            encodeField(field.getKey(), field.getValue(), out);
        }
    }

    private static void encodeField(CharSequence name, CharSequence value, ByteBuf out) {
        int nameLength = name.length();
        int valueLength = value.length();
        out.ensureWritable(nameLength + valueLength + 4);
        int at = out.writerIndex();
        writeAscii(out, at, name);
        at += nameLength;
        out.setShort(at, COLON_SPACE);
        at += 2;
        writeAscii(out, at, value);
        at += valueLength;
        out.setShort(at, CRLF);
        out.writerIndex(at + 2);
    }

    private static void writeAscii(ByteBuf out, int at, CharSequence s) {
        if (s instanceof AsciiString a) {
            ByteBufUtil.copy(a, 0, out, at, a.length());
        } else {
            out.setCharSequence(at, s, CharsetUtil.US_ASCII);
        }
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
        int connections = ArrayHttpHeaders.count(headers, HttpHeaderNames.CONNECTION);
        if (connections == 1) { // the usual case: one field, read without a list
            removeNominated(headers, headers.get(HttpHeaderNames.CONNECTION));
        } else if (connections > 1) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                removeNominated(headers, value);
            }
        }
        if (connections > 0) {
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(HttpHeaderNames.PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.UPGRADE);
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !(ArrayHttpHeaders.count(headers, HttpHeaderNames.TE) == 1
                && HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim()))) {
            headers.remove(HttpHeaderNames.TE);
        }
    }

    /**
     * Removes the fields one {@code Connection} value names (comma-separated tokens, optional whitespace), except
     * {@code te}. The usual tokens ({@code keep-alive}, {@code close}, {@code upgrade}: fields removed anyway or
     * absent) cost no allocation: this runs on every proxied HTTP/1.1 message.
     */
    private static void removeNominated(HttpHeaders headers, String value) {
        int i = 0;
        int n = value.length();
        while (i < n) {
            int end = value.indexOf(',', i);
            if (end < 0) {
                end = n;
            }
            int a = i;
            int b = end;
            while (a < b && (value.charAt(a) == ' ' || value.charAt(a) == '\t')) {
                a++;
            }
            while (b > a && (value.charAt(b - 1) == ' ' || value.charAt(b - 1) == '\t')) {
                b--;
            }
            if (b > a && !token(value, a, b, "te") && !token(value, a, b, "keep-alive")
                    && !token(value, a, b, "upgrade")) {
                if (token(value, a, b, "close")) {
                    headers.remove(HttpHeaderValues.CLOSE);
                } else {
                    headers.remove(value.substring(a, b));
                }
            }
            i = end + 1;
        }
    }

    private static boolean token(String s, int start, int end, String lowerCaseToken) {
        return end - start == lowerCaseToken.length() && s.regionMatches(true, start, lowerCaseToken, 0, end - start);
    }

    /** {@code Upgrade: websocket} with {@code Connection: upgrade} (RFC 6455 §4.1); other Upgrade tokens are ignored. */
    public static boolean isWebSocketUpgrade(HttpRequest request) {
        HttpHeaders h = request.headers();
        String upgrade = h.get(HttpHeaderNames.UPGRADE);
        return upgrade != null && HttpMethod.GET.equals(request.method())
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && hasToken(upgrade, "websocket");
    }

    private static boolean hasToken(String list, String token) {
        for (String t : list.split(",")) {
            if (t.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 9112 §6.3: a request with neither chunked Transfer-Encoding nor a non-zero Content-Length has no body (a
     * Content-Length the validator let through as a list keeps the body path).
     */
    static boolean hasNoBody(HttpRequest request) {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return false;
        }
        String cl = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return cl == null || cl.trim().equals("0");
    }
}
