package io.outrigger.server;

import java.util.List;

/**
 * What a config reload did.
 *
 * @param outcome  applied, unchanged (the new file means the same), or rejected (the running config stays)
 * @param version  the config version in force afterwards (1 at start, +1 per applied reload)
 * @param changes  what changed, one line each ({@code cluster 'web' replaced}, ...); empty unless applied
 * @param errors   why it was rejected: {@code file:line:column: path: message} lines, or the failure; empty otherwise
 */
public record ReloadResult(Outcome outcome, long version, List<String> changes, List<String> errors) {
    public enum Outcome { APPLIED, UNCHANGED, REJECTED }

    public ReloadResult {
        changes = List.copyOf(changes);
        errors = List.copyOf(errors);
    }

    static ReloadResult rejected(long version, List<String> errors) {
        return new ReloadResult(Outcome.REJECTED, version, List.of(), errors);
    }

    /** As JSON, for {@code POST /reload}. */
    public String json() {
        return io.outrigger.json.Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
            g.writeNumberField("version", version);
            g.writeArrayFieldStart("changes");
            for (String c : changes) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("errors");
            for (String e : errors) {
                g.writeString(e);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
