package io.outrigger.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code tracing:}. */
final class TracingConfigReader {
    private static final Map<String, TracingConfig.Propagation> PROPAGATIONS = new LinkedHashMap<>();

    static {
        PROPAGATIONS.put("w3c", TracingConfig.Propagation.W3C);
        PROPAGATIONS.put("b3", TracingConfig.Propagation.B3);
        PROPAGATIONS.put("b3multi", TracingConfig.Propagation.B3_MULTI);
    }

    private static final List<String> EXPORTERS = List.of("zipkin", "otlp", "log");

    private TracingConfigReader() {
    }

    static TracingConfig tracing(ConfigNode n) {
        ConfigMap m = n.asMap();
        double sampling = m.optional("sampling").flatMap(s -> ratio(s)).orElse(1.0);
        String serviceName = m.string("service_name", TracingConfig.DEFAULT_SERVICE_NAME);
        List<TracingConfig.Propagation> propagation = new ArrayList<>();
        Optional<ConfigNode> p = m.optional("propagation");
        // one name or a list of names
        for (ConfigNode item : p.map(x -> x.isList() ? x.asList() : List.of(x)).orElse(List.of())) {
            item.asString().ifPresent(name -> {
                TracingConfig.Propagation v = PROPAGATIONS.get(name);
                if (v == null) {
                    item.error("'" + name + "' (expected: one of " + String.join(", ", PROPAGATIONS.keySet()) + ")");
                } else if (!propagation.contains(v)) {
                    propagation.add(v);
                }
            });
        }
        if (propagation.isEmpty()) {
            propagation.add(TracingConfig.Propagation.W3C);
        }
        TracingConfig.Exporter exporter = m.optional("exporter").map(TracingConfigReader::exporter)
                .orElse(TracingConfig.Log.STDOUT);
        int queue = (int) m.integer("max_queue_size", 2048, 1, 1 << 20);
        Optional<ConfigNode> batchNode = m.optional("max_export_batch_size");
        int batch = (int) m.integer("max_export_batch_size", Math.min(512, queue), 1, 1 << 20);
        if (batch > queue) {
            batchNode.ifPresent(b -> b.error("'" + b.asString().orElse("") + "' (expected: at most max_queue_size, " + queue + ")"));
            batch = queue;
        }
        Duration delay = m.duration("schedule_delay", Duration.ofSeconds(1), Duration.ofMillis(1));
        Duration timeout = m.duration("export_timeout", Duration.ofSeconds(10), Duration.ofMillis(1));
        m.finish();
        return new TracingConfig(sampling, serviceName, propagation, exporter, queue, batch, delay, timeout);
    }

    private static Optional<Double> ratio(ConfigNode n) {
        Optional<String> s = n.asString();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            double v = Double.parseDouble(s.get().trim());
            if (v >= 0 && v <= 1) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        n.error("'" + s.get() + "' (expected: a fraction between 0 and 1, e.g. 0.01 for 1%)");
        return Optional.empty();
    }

    private static TracingConfig.Exporter exporter(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<String> present = EXPORTERS.stream().filter(m::has).toList();
        TracingConfig.Exporter e = null;
        if (present.size() != 1) {
            // read them anyway, so their own mistakes are reported too
            n.error((present.isEmpty() ? "no exporter" : "several exporters " + present)
                    + " (expected: exactly one of " + String.join(", ", EXPORTERS) + ")");
        }
        if (m.has("zipkin")) {
            ConfigMap z = m.map("zipkin");
            Optional<String> endpoint = z.required("endpoint").flatMap(TracingConfigReader::httpUrl);
            z.finish();
            e = endpoint.map(TracingConfig.Zipkin::new).orElse(null);
        }
        if (m.has("otlp")) {
            ConfigMap o = m.map("otlp");
            Optional<String> endpoint = o.required("endpoint").flatMap(TracingConfigReader::httpUrl);
            Map<String, String> headers = new LinkedHashMap<>();
            o.optional("headers").ifPresent(h -> {
                ConfigMap hm = h.asMap();
                for (String k : hm.keys()) {
                    hm.string(k).ifPresent(v -> headers.put(k, v));
                }
                hm.finish();
            });
            o.finish();
            e = endpoint.map(u -> new TracingConfig.Otlp(u, headers)).orElse(null);
        }
        if (m.has("log")) {
            ConfigMap l = m.map("log");
            String path = l.string("path", AccessLogConfig.STDOUT);
            String problem = AccessLogConfig.STDOUT.equals(path) ? null : unwritable(java.nio.file.Path.of(path));
            if (problem != null) {
                l.optional("path").ifPresent(p -> p.error("'" + path + "' " + problem));
            }
            l.finish();
            e = new TracingConfig.Log(path);
        }
        m.finish();
        return present.size() == 1 && e != null ? e : TracingConfig.Log.STDOUT;
    }

    /**
     * Whether spans could be appended to {@code file}: it is a writable file, or the nearest existing folder on its
     * way is writable (the folders are created at start). Nothing is created here.
     *
     * @return why not, or {@code null}
     */
    static String unwritable(java.nio.file.Path file) {
        java.nio.file.Path p = file.toAbsolutePath();
        if (java.nio.file.Files.exists(p)) {
            return java.nio.file.Files.isDirectory(p) ? "(expected: a file, not a folder)"
                    : java.nio.file.Files.isWritable(p) ? null : "(not writable)";
        }
        for (java.nio.file.Path dir = p.getParent(); dir != null; dir = dir.getParent()) {
            if (java.nio.file.Files.exists(dir)) {
                return java.nio.file.Files.isDirectory(dir) && java.nio.file.Files.isWritable(dir) ? null
                        : "(cannot create it: " + dir + " is not a writable folder)";
            }
        }
        return "(no existing folder on its path)";
    }

    private static Optional<String> httpUrl(ConfigNode n) {
        Optional<String> s = n.asString();
        if (s.isEmpty()) {
            return s;
        }
        try {
            URI u = new URI(s.get().trim());
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return Optional.of(u.toString());
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        n.error("'" + s.get() + "' (expected: an http:// or https:// URL)");
        return Optional.empty();
    }
}
