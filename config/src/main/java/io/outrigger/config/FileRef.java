package io.outrigger.config;

import java.nio.file.Path;

/**
 * A file named in the config, with the YAML node that names it, so that problems found when the file
 * is read (unreadable, not PEM, expired) are reported at that key's line and column.
 *
 * @param path the file, as written (relative paths resolve against the working directory, as in Envoy)
 * @param node the YAML value naming it
 */
public record FileRef(Path path, ConfigNode node) {
    @Override
    public String toString() {
        return path.toString();
    }
}
