package io.outrigger.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads the keys of one YAML mapping. Every key read (present or not) is remembered as known;
 * {@link #finish()} reports the keys that were never read as unknown, with a "did you mean" hint.
 * Duplicate keys are reported when the map is opened.
 */
public final class ConfigMap {
    private final ConfigNode self;
    private final Map<String, ConfigNode> entries = new LinkedHashMap<>();
    private final Map<String, ConfigNode> keyNodes = new LinkedHashMap<>();
    private final Set<String> known = new HashSet<>();

    ConfigMap(ConfigNode self, MappingNode mapping, Problems problems) {
        this.self = self;
        if (mapping == null) {
            return;
        }
        for (NodeTuple t : ConfigNode.tuples(mapping)) {
            ConfigNode keyNode = new ConfigNode(t.getKeyNode(), self.path(), problems);
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                keyNode.error("keys must be strings, got " + keyNode.describe());
                continue;
            }
            String key = k.getValue();
            ConfigNode first = keyNodes.get(key);
            if (first != null) {
                self.child(t.getKeyNode(), key).error("duplicate key '" + key + "' (first defined at line "
                        + first.line() + ")");
                continue;
            }
            keyNodes.put(key, self.child(t.getKeyNode(), key));
            entries.put(key, self.child(t.getValueNode(), key));
        }
    }

    /** The mapping's own node. */
    public ConfigNode node() {
        return self;
    }

    /** The keys present, in file order. */
    public Collection<String> keys() {
        return entries.keySet();
    }

    /** The node of the key {@code key} itself (not its value), for errors about the key; {@code null} if absent. */
    public ConfigNode keyNode(String key) {
        return keyNodes.get(key);
    }

    /** Returns the value of {@code key} if present (a YAML null counts as absent). */
    public Optional<ConfigNode> optional(String key) {
        known.add(key);
        ConfigNode n = entries.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    /** Whether {@code key} is present with a non-null value. */
    public boolean has(String key) {
        known.add(key);
        ConfigNode n = entries.get(key);
        return n != null && !n.isNull();
    }

    /** Returns the value of {@code key}, recording "missing required key" at this map when absent. */
    public Optional<ConfigNode> required(String key) {
        Optional<ConfigNode> n = optional(key);
        if (n.isEmpty()) {
            self.error("missing required key '" + key + "'");
        }
        return n;
    }

    public Optional<String> string(String key) {
        return optional(key).flatMap(ConfigNode::asString);
    }

    public String string(String key, String dflt) {
        return string(key).orElse(dflt);
    }

    public Optional<String> requiredString(String key) {
        return required(key).flatMap(ConfigNode::asString);
    }

    public long integer(String key, long dflt, long min, long max) {
        return optional(key).flatMap(n -> n.asLong(min, max)).orElse(dflt);
    }

    /** Reads a size in bytes ({@code 65536}, {@code 64KiB}), recording an error outside {@code [min, max]}. */
    public long size(String key, long dflt, long min, long max) {
        Optional<ConfigNode> n = optional(key);
        if (n.isEmpty()) {
            return dflt;
        }
        Optional<Long> v = n.get().asSize();
        if (v.isPresent() && (v.get() < min || v.get() > max)) {
            n.get().error("'" + n.get().asString().orElse("") + "' (expected: between " + min + " and " + max + " bytes)");
            return dflt;
        }
        return v.orElse(dflt);
    }

    /** Reads a number in {@code [min, max]}, recording an error otherwise. */
    public double number(String key, double dflt, double min, double max) {
        Optional<ConfigNode> n = optional(key);
        if (n.isEmpty()) {
            return dflt;
        }
        Optional<String> text = n.get().asString();
        if (text.isEmpty()) {
            return dflt;
        }
        try {
            double v = Double.parseDouble(text.get().trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        n.get().error("'" + text.get() + "' (expected: a number between " + min + " and " + max + ")");
        return dflt;
    }

    /** Reads a fraction in {@code [0, 1]}. */
    public double fraction(String key, double dflt) {
        return optional(key).flatMap(ConfigNode::asFraction).orElse(dflt);
    }

    public boolean bool(String key, boolean dflt) {
        return optional(key).flatMap(ConfigNode::asBoolean).orElse(dflt);
    }

    /** Reads a duration, recording an error when it is below {@code min}. */
    public Duration duration(String key, Duration dflt, Duration min) {
        Optional<ConfigNode> n = optional(key);
        if (n.isEmpty()) {
            return dflt;
        }
        Optional<Duration> d = n.get().asDuration();
        if (d.isPresent() && d.get().compareTo(min) < 0) {
            n.get().error("'" + n.get().asString().orElse("") + "' (expected: at least " + min.toMillis() + "ms)");
            return dflt;
        }
        return d.orElse(dflt);
    }

    /**
     * Reads one of a fixed set of names.
     *
     * @param choices allowed YAML names to values, in the order they are listed in error messages
     */
    public <E> E oneOf(String key, Map<String, E> choices, E dflt) {
        Optional<ConfigNode> n = optional(key);
        if (n.isEmpty()) {
            return dflt;
        }
        Optional<String> s = n.get().asString();
        if (s.isEmpty()) {
            return dflt;
        }
        E v = choices.get(s.get());
        if (v == null) {
            n.get().error("'" + s.get() + "' (expected: one of " + String.join(", ", choices.keySet()) + ")");
            return dflt;
        }
        return v;
    }

    /** Reads a list (absent: empty). */
    public List<ConfigNode> list(String key) {
        return optional(key).map(ConfigNode::asList).orElse(List.of());
    }

    /** Reads a list of strings (absent: empty). */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list(key)) {
            item.asString().ifPresent(out::add);
        }
        return out;
    }

    /** Reads a nested mapping; absent gives an empty mapping (whose reads yield defaults). */
    public ConfigMap map(String key) {
        return optional(key).map(ConfigNode::asMap).orElseGet(() -> new ConfigMap(self, null, null));
    }

    /** Reports every key that was not read as unknown, suggesting the closest known key. */
    public void finish() {
        for (Map.Entry<String, ConfigNode> e : keyNodes.entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = closest(e.getKey(), known);
                e.getValue().error("unknown key '" + e.getKey() + "'"
                        + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
            }
        }
    }

    private static String closest(String key, Set<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(key, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
