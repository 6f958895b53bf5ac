package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A located YAML value: the node, its key path and where it sits in the file. Reading a value of the
 * wrong shape records an error (with line and column) in the shared {@link Problems} and returns a
 * placeholder, so a whole document is checked in one pass.
 *
 * <p>Filters receive their {@code config:} section as a {@code ConfigNode} and read it with the same
 * methods, so their errors carry line and column too.
 */
public final class ConfigNode {
    private final Node node;
    private final String path;
    private final Problems problems;

    ConfigNode(Node node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /**
     * Whether {@code o} holds the same YAML value: the same scalars with the same tags, the same lists in the same
     * order, and maps with the same keys and values in any order. Where they sit in their files (line, column, key
     * path) and comments do not count — a reload compares configs with it, and a file whose meaning is unchanged
     * must compare equal.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigNode other && sameValue(node, other.node);
    }

    @Override
    public int hashCode() {
        return valueHash(node);
    }

    private static boolean sameValue(Node a, Node b) {
        if (a instanceof ScalarNode x && b instanceof ScalarNode y) {
            return x.getValue().equals(y.getValue()) && x.getTag().equals(y.getTag());
        }
        if (a instanceof SequenceNode x && b instanceof SequenceNode y) {
            List<Node> xs = x.getValue();
            List<Node> ys = y.getValue();
            if (xs.size() != ys.size()) {
                return false;
            }
            for (int i = 0; i < xs.size(); i++) {
                if (!sameValue(xs.get(i), ys.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof MappingNode x && b instanceof MappingNode y) {
            List<NodeTuple> xs = x.getValue();
            List<NodeTuple> ys = y.getValue();
            if (xs.size() != ys.size()) {
                return false;
            }
            for (NodeTuple t : xs) {
                boolean found = false;
                for (NodeTuple u : ys) {
                    if (sameValue(t.getKeyNode(), u.getKeyNode())) {
                        found = sameValue(t.getValueNode(), u.getValueNode());
                        break;
                    }
                }
                if (!found) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static int valueHash(Node n) {
        if (n instanceof ScalarNode s) {
            return s.getValue().hashCode();
        }
        int h = n instanceof SequenceNode ? 1 : 2;
        if (n instanceof SequenceNode s) {
            for (Node c : s.getValue()) {
                h = 31 * h + valueHash(c);
            }
        } else if (n instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                h += valueHash(t.getKeyNode()) ^ valueHash(t.getValueNode()); // order-free
            }
        }
        return h;
    }

    /** The key path of this node, e.g. {@code listeners[0].http_filters[1].config}. */
    Problems problems() {
        return problems;
    }

    public String path() {
        return path;
    }

    /** 1-based line of this node in its file. */
    public int line() {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }

    /** 1-based column of this node in its file. */
    public int column() {
        return node.getStartMark().map(Mark::getColumn).orElse(0) + 1;
    }

    /** {@code file:line:column} of this node. */
    public String location() {
        return problems.file() + ':' + line() + ':' + column();
    }

    /** Records a warning located at this node: the config is valid, but probably not what was meant. */
    public void warn(String message) {
        problems.warn(line(), column(), path, message);
    }

    /** Records an error located at this node. */
    public void error(String message) {
        problems.add(line(), column(), path, message);
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** Whether this is YAML null ({@code ~}, {@code null} or an empty value). */
    public boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null")
                || node instanceof ScalarNode s2 && s2.isPlain() && (s2.getValue().isEmpty()
                        || s2.getValue().equals("~") || s2.getValue().equals("null"));
    }

    /**
     * Reads this node as a mapping. Records an error and returns an empty mapping when it is not one.
     * Call {@link ConfigMap#finish()} after reading its keys so unknown keys are reported.
     */
    public ConfigMap asMap() {
        if (node instanceof MappingNode m) {
            return new ConfigMap(this, m, problems);
        }
        if (!isNull()) {
            error("expected a mapping, got " + describe());
        }
        return new ConfigMap(this, null, problems);
    }

    /** Reads this node as a list; a non-list records an error and yields an empty list. */
    public List<ConfigNode> asList() {
        if (node instanceof SequenceNode seq) {
            List<ConfigNode> items = new ArrayList<>(seq.getValue().size());
            int i = 0;
            for (Node item : seq.getValue()) {
                items.add(new ConfigNode(item, path + '[' + i++ + ']', problems));
            }
            return items;
        }
        if (!isNull()) {
            error("expected a list, got " + describe());
        }
        return Collections.emptyList();
    }

    /**
     * Reads this node as a string after {@code ${ENV}} substitution.
     *
     * @return the string, or empty after recording an error when the node is not a scalar
     */
    public Optional<String> asString() {
        if (!(node instanceof ScalarNode s)) {
            error("expected a string, got " + describe());
            return Optional.empty();
        }
        try {
            return Optional.of(EnvSubstitution.apply(s.getValue(), problems.env()));
        } catch (EnvSubstitution.UnsetVariableException e) {
            error(e.getMessage());
            return Optional.empty();
        }
    }

    /** Reads an integer in {@code [min, max]}. */
    public Optional<Long> asLong(long min, long max) {
        Optional<String> text = asString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(text.get().trim());
            if (v < min || v > max) {
                error(quote(text.get()) + " (expected: an integer between " + min + " and " + max + ")");
                return Optional.empty();
            }
            return Optional.of(v);
        } catch (NumberFormatException e) {
            error(quote(text.get()) + " (expected: an integer)");
            return Optional.empty();
        }
    }

    /** Reads a number in {@code [0, 1]} such as {@code 0.9}. */
    public Optional<Double> asFraction() {
        Optional<String> text = asString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            double v = Double.parseDouble(text.get().trim());
            if (v >= 0 && v <= 1) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        error(quote(text.get()) + " (expected: a fraction between 0 and 1, e.g. 0.9)");
        return Optional.empty();
    }

    /** Reads {@code true} or {@code false}. */
    public Optional<Boolean> asBoolean() {
        Optional<String> text = asString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return switch (text.get()) {
            case "true" -> Optional.of(Boolean.TRUE);
            case "false" -> Optional.of(Boolean.FALSE);
            default -> {
                error(quote(text.get()) + " (expected: true or false)");
                yield Optional.empty();
            }
        };
    }

    /** Reads a duration such as {@code 250ms}, {@code 5s}, {@code 1m}, {@code 1h}. */
    public Optional<Duration> asDuration() {
        Optional<String> text = asString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Duration d = Units.parseDuration(text.get().trim());
        if (d == null) {
            error(quote(text.get()) + " (expected: a duration such as 250ms, 5s, 1m or 1h)");
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** Reads a size in bytes such as {@code 4096}, {@code 64KiB}, {@code 1MiB}. */
    public Optional<Long> asSize() {
        Optional<String> text = asString();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        long size = Units.parseSize(text.get().trim());
        if (size < 0) {
            error(quote(text.get()) + " (expected: a size such as 4096, 64KiB or 1MiB)");
            return Optional.empty();
        }
        return Optional.of(size);
    }

    String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    static String quote(String s) {
        return "'" + s + "'";
    }

    ConfigNode child(Node n, String key) {
        return new ConfigNode(n, path.isEmpty() ? key : path + '.' + key, problems);
    }

    static List<NodeTuple> tuples(MappingNode m) {
        return m.getValue();
    }
}
