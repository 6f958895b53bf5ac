package io.outrigger.config;

import java.util.List;

/**
 * Thrown when a configuration cannot be loaded; carries every problem found, not only the first.
 */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(format(errors));
        this.errors = List.copyOf(errors);
    }

    /** Returns every error, in source order. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(List<ConfigError> errors) {
        StringBuilder sb = new StringBuilder();
        for (ConfigError e : errors) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(e);
        }
        return sb.toString();
    }
}
