package io.outrigger.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads and validates an Outrigger YAML file into an {@link OutriggerConfig}.
 *
 * <p>Every problem is collected and reported at once as {@code FILE:LINE:COLUMN: key.path: message}:
 * YAML syntax, unknown keys (with a "did you mean"), wrong types, duplicate keys, missing required
 * keys, bad durations and sizes, unset {@code ${ENV}} variables, references to unknown clusters,
 * duplicate listener names and addresses.
 */
public final class ConfigLoader {
    /** Largest accepted file, in bytes; a sidecar config is small, a huge one is a mistake or an attack. */
    static final int MAX_DOCUMENT_BYTES = 8 << 20;

    private final UnaryOperator<String> env;

    /** A loader resolving {@code ${NAME}} from the process environment. */
    public ConfigLoader() {
        this(System::getenv);
    }

    /** A loader resolving {@code ${NAME}} with {@code env} (returns {@code null} for unset). */
    public ConfigLoader(UnaryOperator<String> env) {
        this.env = env;
    }

    /**
     * Reads and validates a file.
     *
     * @throws ConfigException with every error found; an unreadable file is one error at line 1
     */
    public OutriggerConfig load(Path file) throws ConfigException {
        return load(file, config -> { });
    }

    /**
     * Reads and validates a file, running {@code moreChecks} before deciding: it may record further errors
     * (for example a filter's own settings) on the config's {@link ConfigNode}s, which are then reported with
     * the others.
     *
     * @throws ConfigException with every error found
     */
    public OutriggerConfig load(Path file, Consumer<OutriggerConfig> moreChecks) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1, "",
                    "cannot read file: " + e.getMessage())));
        }
        return load(file.toString(), text, moreChecks);
    }

    /**
     * Validates a document given as text.
     *
     * @param label the name used in error locations (usually the file name)
     * @throws ConfigException with every error found
     */
    public OutriggerConfig load(String label, String text) throws ConfigException {
        return load(label, text, config -> { });
    }

    /**
     * Validates a document given as text, with further checks as in {@link #load(Path, Consumer)}.
     *
     * @throws ConfigException with every error found
     */
    public OutriggerConfig load(String label, String text, Consumer<OutriggerConfig> moreChecks) throws ConfigException {
        return read(label, text, "empty configuration (expected: listeners and clusters)", root -> {
            OutriggerConfig config = new ConfigReader(root.problems()).read(root);
            moreChecks.accept(config);
            return config;
        });
    }

    /**
     * Reads any YAML (or JSON) document with this loader's rules — size limit, {@code ${VAR}} substitution, located
     * errors — handing its root to {@code reader}, which records problems on the nodes (e.g. a test file of
     * {@code outrigger test-routes}).
     *
     * @param label      the name used in error locations
     * @param emptyError the message for an empty document
     * @return what {@code reader} returned, when no problem was recorded
     * @throws ConfigException with every error found, each as {@code label:line:column: path: message}
     */
    public <T> T read(String label, String text, String emptyError, Function<ConfigNode, T> reader) throws ConfigException {
        Problems problems = new Problems(label, env);
        if (text.length() > MAX_DOCUMENT_BYTES) {
            problems.add(1, 1, "", "file too large (expected: at most " + MAX_DOCUMENT_BYTES + " bytes)");
            throw new ConfigException(problems.sorted());
        }
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(true)
                    .setMaxAliasesForCollections(50).setCodePointLimit(MAX_DOCUMENT_BYTES).build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            problems.add(m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, "",
                    "invalid YAML: " + e.getProblem());
            throw new ConfigException(problems.sorted());
        } catch (YamlEngineException e) {
            problems.add(1, 1, "", "invalid YAML: " + e.getMessage());
            throw new ConfigException(problems.sorted());
        } catch (IllegalArgumentException e) {
            // snakeyaml-engine refuses some tags this way, unmarked (found by ConfigLoaderFuzzTest: "!8%4")
            problems.add(1, 1, "", "invalid YAML: " + e.getMessage());
            throw new ConfigException(problems.sorted());
        }
        if (root.isEmpty()) {
            problems.add(1, 1, "", emptyError);
            throw new ConfigException(problems.sorted());
        }
        T result = reader.apply(new ConfigNode(root.get(), "", problems));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.sorted());
        }
        return result;
    }
}
