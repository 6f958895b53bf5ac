package io.outrigger.config;

/**
 * One configuration problem, located in the YAML source.
 *
 * @param file   the file name (or label) the YAML came from
 * @param line   1-based line of the offending node
 * @param column 1-based column of the offending node
 * @param path   the key path, e.g. {@code clusters[0].lb_policy}
 * @param message what is wrong, e.g. {@code 'ringhash' (expected: one of round_robin, ring_hash)}
 */
public record ConfigError(String file, int line, int column, String path, String message) {

    /** Formats as {@code FILE:LINE:COLUMN: key.path: message}. */
    @Override
    public String toString() {
        return file + ':' + line + ':' + column + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
