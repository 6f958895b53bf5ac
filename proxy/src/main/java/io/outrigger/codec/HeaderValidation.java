package io.outrigger.codec;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;

/**
 * What a header container checks when a field is added: nothing, a field (RFC 9110 §5.1: the name is a non-empty
 * token; §5.5: the value has no CR, LF or NUL — Netty's {@code HttpHeaderValidationUtil}), or a trailer field (also not
 * {@code Content-Length}, {@code Transfer-Encoding} or {@code Trailer}, RFC 9110 §6.5.1). The messages are Netty's
 * validating headers', so a decoder's failure reads the same whichever container it used.
 */
public enum HeaderValidation {
    NONE,
    FIELDS,
    TRAILER_FIELDS;

    /** @throws IllegalArgumentException naming the first character or field that is not allowed */
    public void validate(CharSequence name, CharSequence value) {
        if (this == NONE) {
            return;
        }
        if (name.length() == 0) {
            throw new IllegalArgumentException("empty headers are not allowed [" + name + ']');
        }
        int bad = HttpHeaderValidationUtil.validateToken(name);
        if (bad >= 0) {
            throw new IllegalArgumentException("a header name can only contain \"token\" characters, but found invalid"
                    + " character 0x" + Integer.toHexString(name.charAt(bad)) + " at index " + bad + " of header '" + name + "'.");
        }
        if (this == TRAILER_FIELDS && (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name))) {
            throw new IllegalArgumentException("prohibited trailing header: " + name);
        }
        bad = HttpHeaderValidationUtil.validateValidHeaderValue(value);
        if (bad >= 0) {
            throw new IllegalArgumentException("a header value contains prohibited character 0x"
                    + Integer.toHexString(value.charAt(bad)) + " at index " + bad + '.');
        }
    }
}
