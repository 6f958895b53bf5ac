package io.outrigger.codec.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

class HpackIndexingTest {
    @Test
    void credentialsAndPerMessageIdsAreNeverIndexedWhateverTheNameType() {
        HpackIndexing h = HpackIndexing.INSTANCE;
        assertThat(h.isSensitive("authorization", "Bearer x")).isTrue();
        assertThat(h.isSensitive(AsciiString.of("cookie"), "a=b")).isTrue();
        assertThat(h.isSensitive(new StringBuilder("set-cookie"), "a=b")).isTrue();
        assertThat(h.isSensitive(new AsciiString("xx-request-id".getBytes(), 1, 12, true), "1")).isTrue();
        assertThat(h.isSensitive("x-forwarded-client-cert", "Hash=1")).isTrue();
        // same length or same case-insensitive hash, different bytes
        assertThat(h.isSensitive("content-type", "text/plain")).isFalse();
        assertThat(h.isSensitive("Cookie", "a=b")).isFalse();
        assertThat(h.isSensitive("cookies", "a=b")).isFalse();
        assertThat(h.isSensitive("", "")).isFalse();
    }
}
