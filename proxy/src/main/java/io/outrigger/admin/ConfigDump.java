package io.outrigger.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.outrigger.json.Json;
import java.io.IOException;
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
        return Json.write(g -> write(g, config)) + "\n";
    }

    /** The config's fields after {@code version_info} (the config version in force, as Envoy's dump names it). */
    static String json(Object config, long version) {
        return json(config, version, null);
    }

    /**
     * As {@link #json(Object, long)}, with the control plane's state under {@code xds} (per type: version and
     * resource names; what waits; the stream) when one configures the server. Listeners and clusters from it are in
     * the lists with the file's; {@code xds} tells which names came from it.
     */
    static String json(Object config, long version, Map<String, Object> xds) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("version_info", Long.toString(version));
        m.putAll(recordFields(config));
        if (xds != null) {
            m.put("xds", xds);
        }
        return Json.write(g -> write(g, m)) + "\n";
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null || v instanceof ConfigNode) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (v instanceof Duration d) {
            g.writeString(d.toMillis() + "ms");
        } else if (v instanceof Enum<?> e) {
            g.writeString(e.name().toLowerCase(Locale.ROOT));
        } else if (v instanceof HostAndPort || v instanceof CidrRange || v instanceof FileRef || v instanceof com.google.re2j.Pattern) {
            g.writeString(v.toString());
        } else if (v instanceof TracingConfig.Exporter e) {
            // keyed by its YAML name, as written: {"zipkin": {...}}; OTLP header values may be credentials
            g.writeStartObject();
            g.writeFieldName(e.getClass().getSimpleName().toLowerCase(Locale.ROOT));
            write(g, e instanceof TracingConfig.Otlp o ? Map.of("endpoint", o.endpoint(), "headers",
                    o.headers().keySet().stream().collect(java.util.stream.Collectors.toMap(k -> k, k -> "*****"))) : recordFields(e));
            g.writeEndObject();
        } else if (v instanceof PasswordSource p) {
            g.writeString(p.toString()); // "env:NAME" or "file:PATH": where the password is, never the password
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v.getClass().isRecord()) {
            write(g, recordFields(v));
        } else {
            g.writeString(v.toString());
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
}
