package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusLineWordsTest {
    /** The word inside a larger buffer, as the decoder hands it over. */
    private static byte[] line(String word) {
        return ("xx" + word + "yy").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void usualWordsAreSharedInstancesAndOthersAreLeftToTheDecoder() {
        assertThat(StatusLineWords.version(line("HTTP/1.1"), 2, 8)).isSameAs("HTTP/1.1");
        assertThat(StatusLineWords.version(line("HTTP/1.0"), 2, 8)).isSameAs("HTTP/1.0");
        assertThat(StatusLineWords.version(line("HTTP/2.0"), 2, 8)).isNull();
        assertThat(StatusLineWords.version(line("HTTP/1.1"), 2, 7)).isNull();

        String first = StatusLineWords.code(line("204"), 2, 3);
        assertThat(first).isEqualTo("204").isSameAs(StatusLineWords.code(line("204"), 2, 3));
        assertThat(StatusLineWords.code(line("999"), 2, 3)).isEqualTo("999");
        assertThat(StatusLineWords.code(line("099"), 2, 3)).isNull();
        assertThat(StatusLineWords.code(line("2x4"), 2, 3)).isNull();
        assertThat(StatusLineWords.code(line("2004"), 2, 4)).isNull();
        assertThat(StatusLineWords.code(line("\u00b904"), 2, 3)).isNull(); // a byte above 127 is not a digit

        assertThat(StatusLineWords.reason(line("OK"), 2, 2)).isSameAs(HttpResponseStatus.OK.reasonPhrase());
        assertThat(StatusLineWords.reason(line("Not Modified"), 2, 12))
                .isSameAs(HttpResponseStatus.NOT_MODIFIED.reasonPhrase());
        assertThat(StatusLineWords.reason(line("ok"), 2, 2)).isNull();
        assertThat(StatusLineWords.reason(line("Fine"), 2, 4)).isNull();
    }
}
