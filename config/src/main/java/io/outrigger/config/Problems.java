package io.outrigger.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Collects configuration errors (and warnings: legal but probably unintended settings) while a document is read, so that every error is reported at once.
 * Not thread-safe: one instance per load.
 */
public final class Problems {
    private final String file;
    private final UnaryOperator<String> env;
    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> warnings = new ArrayList<>();

    Problems(String file, UnaryOperator<String> env) {
        this.file = file;
        this.env = env;
    }

    String file() {
        return file;
    }

    UnaryOperator<String> env() {
        return env;
    }

    void add(int line, int column, String path, String message) {
        errors.add(new ConfigError(file, line, column, path, message));
    }

    void warn(int line, int column, String path, String message) {
        warnings.add(new ConfigError(file, line, column, path, message));
    }

    /** Returns the warnings sorted by line, then column. */
    List<ConfigError> sortedWarnings() {
        List<ConfigError> copy = new ArrayList<>(warnings);
        copy.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return copy;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Returns the errors sorted by line, then column. */
    List<ConfigError> sorted() {
        List<ConfigError> copy = new ArrayList<>(errors);
        copy.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return copy;
    }
}
