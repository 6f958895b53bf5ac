package io.outrigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzzes the access log with hostile request values (quotes, backslashes, control characters, newlines, non-ASCII):
 * a JSON line parses back to exactly the values that came in (nothing injected, nothing lost), and a text line stays
 * one line with its quoted fields intact.
 */
class AccessLogFuzzTest {
    private static final JsonFactory JSON = new JsonFactory();

    @FuzzTest(maxDuration = "60s")
    void hostileValuesCannotForgeFieldsOrLines(FuzzedDataProvider data) throws Exception {
        String ua = data.consumeString(80);
        String xff = data.consumeString(40);
        String host = data.consumeString(40);
        String path = data.consumeRemainingAsString();
        DefaultHttpHeaders h = new DefaultHttpHeaders(false);
        h.add("user-agent", ua).add("x-forwarded-for", xff).add("host", host);
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", h);
        try {
            request.setUri(path); // any text, though the codecs let only RFC 3986 targets through
        } catch (IllegalArgumentException e) {
            return; // Netty's request refuses it (whitespace, CR/LF): no stream can carry it to the log
        }
        StreamInfoImpl s = new StreamInfoImpl(request, "HTTP/1.1", "l", new InetSocketAddress("127.0.0.1", 1));

        String json = AccessLog.json(s);
        assertThat(json).doesNotContain("\n").doesNotContain("\r");
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getValueAsString());
            }
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
            assertThat(p.nextToken()).isNull();
        }
        assertThat(fields).containsEntry("user_agent", ua).containsEntry("x_forwarded_for", xff)
                .containsEntry("authority", host).containsEntry("path", path).containsEntry("listener", "l");

        String text = AccessLog.text(s);
        assertThat(text).doesNotContain("\n").doesNotContain("\r");
        // the request line and five quoted fields: every quote inside a value is escaped
        assertThat(text.replace("\\\\", "").replace("\\\"", "").chars().filter(c -> c == '"').count()).isEqualTo(12);
    }
}
