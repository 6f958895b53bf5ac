package io.outrigger.admin;

import io.outrigger.config.CidrRange;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.FileRef;
import io.outrigger.config.HostAndPort;
import io.outrigger.config.PasswordSource;
import io.outrigger.config.TracingConfig;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The effective configuration as JSON ({@code /config_dump}): every record of the validated config with its
 * defaults filled in, keys in the YAML's snake_case. The config never holds secret values (key passwords come
 * from an environment variable or a file, which are named, not read); private key file paths are shown.
 */
final class ConfigDump {
    private ConfigDump() {
    }

    static String json(Object config) {
        StringBuilder sb = new StringBuilder(4096);
        write(sb, config);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null || v instanceof ConfigNode) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Number) {
            sb.append(v);
        } else if (v instanceof Duration d) {
            string(sb, d.toMillis() + "ms");
        } else if (v instanceof Enum<?> e) {
            string(sb, e.name().toLowerCase(Locale.ROOT));
        } else if (v instanceof HostAndPort || v instanceof CidrRange || v instanceof FileRef || v instanceof com.google.re2j.Pattern) {
            string(sb, v.toString());
        } else if (v instanceof TracingConfig.Exporter e) {
            // keyed by its YAML name, as written: {"zipkin": {...}}; OTLP header values may be credentials
            sb.append('{');
            string(sb, e.getClass().getSimpleName().toLowerCase(Locale.ROOT));
            sb.append(':');
            write(sb, e instanceof TracingConfig.Otlp o ? Map.of("endpoint", o.endpoint(), "headers",
                    o.headers().keySet().stream().collect(java.util.stream.Collectors.toMap(k -> k, k -> "*****"))) : recordFields(e));
            sb.append('}');
        } else if (v instanceof PasswordSource p) {
            string(sb, p.toString()); // "env:NAME" or "file:PATH": where the password is, never the password
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ",");
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
                first = false;
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                sb.append(first ? "" : ",");
                write(sb, o);
                first = false;
            }
            sb.append(']');
        } else if (v.getClass().isRecord()) {
            write(sb, recordFields(v));
        } else {
            string(sb, v.toString());
        }
    }

    /** A record's components by snake_case name, in declaration order, without source locations. */
    private static Map<String, Object> recordFields(Object v) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (RecordComponent rc : v.getClass().getRecordComponents()) {
            Object value;
            try {
                value = rc.getAccessor().invoke(v);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (!(value instanceof ConfigNode)) { // source locations are not configuration
                out.put(snake(rc.getName()), value);
            }
        }
        return out;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Appends {@code s} as a JSON string literal. */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
