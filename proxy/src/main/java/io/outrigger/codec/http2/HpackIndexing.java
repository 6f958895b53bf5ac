package io.outrigger.codec.http2;

import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;

/**
 * Which header fields the HTTP/2 codecs send as "literal never indexed" (RFC 7541 §6.2.3) instead of adding them to
 * the HPACK dynamic table:
 * <ul>
 *   <li>credentials — {@code authorization}, {@code proxy-authorization}, {@code cookie}, {@code set-cookie}: an
 *       upstream connection carries requests of many callers, and a table shared between them is a compression
 *       oracle (CRIME-style guessing of another caller's secret; RFC 7541 §7.1.3 recommends never indexing these);
 *       never-indexed also tells the next hop to keep them out of its tables (§7.1.3);</li>
 *   <li>values unique to one message — the request id, trace context and the client certificate's details:
 *       indexing them costs a table insertion and an eviction on both ends and no later message can reuse them.</li>
 * </ul>
 * Names are compared as HTTP/2 sends them (lower case). Stateless; shared by every connection.
 */
final class HpackIndexing implements Http2HeadersEncoder.SensitivityDetector {
    static final HpackIndexing INSTANCE = new HpackIndexing();

    private static final AsciiString[] NEVER_INDEXED = {
        AsciiString.cached("authorization"), AsciiString.cached("proxy-authorization"),
        AsciiString.cached("cookie"), AsciiString.cached("set-cookie"),
        AsciiString.cached("x-request-id"), AsciiString.cached("x-client-trace-id"),
        AsciiString.cached("traceparent"), AsciiString.cached("b3"), AsciiString.cached("x-b3-traceid"),
        AsciiString.cached("x-b3-spanid"), AsciiString.cached("x-b3-parentspanid"),
        AsciiString.cached("x-amzn-trace-id"), AsciiString.cached("x-cloud-trace-context"),
        AsciiString.cached("uber-trace-id"), AsciiString.cached("x-forwarded-client-cert"),
    };

    /** {@code HASHES[i]}: {@code NEVER_INDEXED[i].hashCode()}, compared before the bytes. */
    private static final int[] HASHES = new int[NEVER_INDEXED.length];

    static {
        for (int i = 0; i < NEVER_INDEXED.length; i++) {
            HASHES[i] = NEVER_INDEXED[i].hashCode();
        }
    }

    private HpackIndexing() {
    }

    /** @return whether {@code name} is sent never indexed (its value does not matter) */
    @Override
    public boolean isSensitive(CharSequence name, CharSequence value) {
        // called for every field of every header block: one int compare per entry (an AsciiString caches its hash)
        int hash = AsciiString.hashCode(name);
        for (int i = 0; i < HASHES.length; i++) {
            if (HASHES[i] == hash && NEVER_INDEXED[i].contentEquals(name)) {
                return true;
            }
        }
        return false;
    }
}
