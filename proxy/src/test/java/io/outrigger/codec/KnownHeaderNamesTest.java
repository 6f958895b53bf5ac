package io.outrigger.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KnownHeaderNamesTest {
    private static AsciiString lookup(String s, int start, int length) {
        return KnownHeaderNames.lookup(s.getBytes(StandardCharsets.US_ASCII), start, length);
    }

    @Test
    void theTableFindsOnlyExactSpellings() {
        assertThat((CharSequence) lookup("xHostx", 1, 4)).hasToString("Host");
        assertThat((CharSequence) lookup("host", 0, 4)).hasToString("host");
        assertThat((CharSequence) lookup("Host", 0, 4)).isSameAs(lookup("Host", 0, 4));
        assertThat((CharSequence) lookup("HOST", 0, 4)).isNull();
        assertThat((CharSequence) lookup("Hos", 0, 3)).isNull();
        assertThat((CharSequence) KnownHeaderNames.lookup(new byte[200], 0, 200)).isNull();
    }

    @Test
    void lowerCaseOfAnInternedNameIsItsInternedTwinAndOtherNamesAreCopiedOnlyWhenNeeded() {
        AsciiString title = lookup("Content-Type", 0, 12);
        assertThat((CharSequence) KnownHeaderNames.toLowerCase(title)).isSameAs(lookup("content-type", 0, 12));
        AsciiString lower = AsciiString.of("x-custom");
        assertThat((CharSequence) KnownHeaderNames.toLowerCase(lower)).isSameAs(lower);
        assertThat((CharSequence) KnownHeaderNames.toLowerCase("X-Custom")).hasToString("x-custom");
        assertThat((CharSequence) KnownHeaderNames.toLowerCase(new AsciiString("Content-Type"))).hasToString("content-type");
    }
}
