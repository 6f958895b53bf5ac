package io.outrigger.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Where a private key's password comes from (Envoy's {@code DataSource}, without the inline form, so a
 * password never sits in the config): {@code { environment_variable: NAME }} or {@code { filename: path }}.
 *
 * @param environmentVariable the variable's name, or {@code null}
 * @param filename            the file holding the password (a trailing newline is ignored), or {@code null}
 * @param node                the YAML node, for errors
 */
public record PasswordSource(String environmentVariable, FileRef filename, ConfigNode node) {
    /**
     * Reads the password.
     *
     * @throws IOException when the variable is unset or the file unreadable
     */
    public char[] read() throws IOException {
        if (environmentVariable != null) {
            String v = System.getenv(environmentVariable);
            if (v == null) {
                throw new IOException("environment variable '" + environmentVariable + "' is not set");
            }
            return v.toCharArray();
        }
        String s = Files.readString(filename.path(), StandardCharsets.UTF_8);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1).toCharArray() : s.toCharArray();
    }

    @Override
    public String toString() {
        return environmentVariable != null ? "env:" + environmentVariable : "file:" + filename;
    }
}
