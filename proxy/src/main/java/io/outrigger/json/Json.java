package io.outrigger.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes JSON text through Jackson's streaming {@link JsonGenerator} (RFC 8259: string escaping, numbers), so no
 * value — a client's header, a config string — can break out of its field. One thread-safe factory for the process.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** What writes one JSON document into a generator. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private Json() {
    }

    /**
     * @return the document {@code body} writes, as one line (no trailing newline)
     * @throws UncheckedIOException never in practice: the target is in memory
     */
    public static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes {@code name: value}, or {@code name: null} when {@code value} is {@code null}. */
    public static void field(JsonGenerator g, String name, String value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }
}
