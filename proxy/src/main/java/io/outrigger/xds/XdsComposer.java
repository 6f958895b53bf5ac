package io.outrigger.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.server.ConfigWatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * One config from the file and the xDS resources in force: the file's document with the control plane's listeners and
 * clusters added to its lists, validated by the ordinary config reader as one document. A resource waiting for another
 * (a listener for its RDS routes or for the clusters they name, a cluster for its EDS endpoints) is left out until it
 * arrives, as Envoy's warming does. Errors in a resource come back naming it: {@code cluster 'shop': lb_policy: ...}.
 * Thread-safe (no state but the file path).
 */
public final class XdsComposer {
    /** Validates a config document: the file's path (for relative paths and error locations) and its text. */
    @FunctionalInterface
    public interface Builder {
        ConfigWatcher.Prepared build(Path file, String text) throws ConfigException;
    }

    /**
     * A composed config.
     *
     * @param prepared the config and its filter chains
     * @param waiting  resources left out until what they need arrives, e.g. {@code cluster 'shop' (EDS 'shop')}
     * @param missing  what they wait for
     * @param fileEds  the file's clusters of {@code type: eds} (their endpoints are EDS resources of their names)
     */
    public record Composed(ConfigWatcher.Prepared prepared, List<String> waiting, List<XdsTranslator.Missing> missing,
                           Set<String> fileEds) {
    }

    private final Path file;
    private final Builder builder;
    private SecretFiles secretFiles;

    /** Where inline TLS material goes, made on first use. */
    private synchronized SecretFiles secretFiles() throws XdsException {
        if (secretFiles == null) {
            try {
                secretFiles = new SecretFiles();
            } catch (IOException e) {
                throw new XdsException("no directory for TLS material from the control plane: " + e.getMessage());
            }
        }
        return secretFiles;
    }

    public XdsComposer(Path file, Builder builder) {
        this.file = file;
        this.builder = builder;
    }

    /**
     * @throws XdsException when a resource cannot be translated or the composed config is invalid; the message names
     *                      the resource and field
     */
    @SuppressWarnings("unchecked")
    public Composed compose(XdsResources resources) throws XdsException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new XdsException(file + ": cannot be read: " + e.getMessage());
        }
        Object loaded = new Load(LoadSettings.builder().setAllowDuplicateKeys(true).build()).loadFromString(text);
        Map<String, Object> root = loaded instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
                : new LinkedHashMap<>();
        List<Object> listeners = new ArrayList<>(root.get("listeners") instanceof List<?> l ? l : List.of());
        List<Object> clusters = new ArrayList<>(root.get("clusters") instanceof List<?> l ? l : List.of());
        Map<String, String> owners = new TreeMap<>();
        List<String> waiting = new ArrayList<>();
        List<XdsTranslator.Missing> missing = new ArrayList<>();
        Set<String> clusterNames = new HashSet<>();
        Set<String> fileEds = new java.util.TreeSet<>();
        for (int i = 0; i < clusters.size(); i++) {
            if (clusters.get(i) instanceof Map<?, ?> cm && cm.get("name") instanceof String n) {
                clusterNames.add(n);
                if ("eds".equals(cm.get("type"))) {
                    // a file's cluster of type eds (Envoy's static cluster with eds_config): its endpoints are the
                    // control plane's ClusterLoadAssignment of its name
                    fileEds.add(n);
                    ClusterLoadAssignment cla = resources.endpoints().get(n);
                    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) cm);
                    if (cla == null) {
                        waiting.add("cluster '" + n + "' of the file (EDS '" + n + "')");
                        missing.add(new XdsTranslator.Missing(XdsTypes.EDS, n));
                    } else {
                        try {
                            copy.put("endpoints", XdsTranslator.endpoints(ProtoJson.map(cla)));
                        } catch (XdsException e) {
                            throw new XdsException("endpoints of cluster '" + n + "': " + e.getMessage());
                        }
                    }
                    clusters.set(i, copy);
                }
            }
        }
        for (Cluster c : new TreeMap<>(resources.clusters()).values()) {
            XdsTranslator.Translated t;
            try {
                t = XdsTranslator.cluster(c, resources.endpoints(), resources.secrets(), secretFiles());
            } catch (XdsException e) {
                throw new XdsException("cluster '" + c.getName() + "': " + e.getMessage());
            }
            if (t.missing() != null) {
                waiting.add("cluster '" + c.getName() + "' (" + XdsTypes.shortName(t.missing().typeUrl()) + " '"
                        + t.missing().name() + "')");
                missing.add(t.missing());
                continue;
            }
            owners.put("clusters[" + clusters.size() + "]", "cluster '" + c.getName() + "'");
            clusters.add(t.tree());
            clusterNames.add(c.getName());
        }
        for (Listener l : new TreeMap<>(resources.listeners()).values()) {
            XdsTranslator.Translated t;
            try {
                t = XdsTranslator.listener(l, resources.routes(), resources.secrets(), secretFiles());
            } catch (XdsException e) {
                throw new XdsException("listener '" + l.getName() + "': " + e.getMessage());
            }
            if (t.missing() != null) {
                waiting.add("listener '" + l.getName() + "' (" + XdsTypes.shortName(t.missing().typeUrl()) + " '"
                        + t.missing().name() + "')");
                missing.add(t.missing());
                continue;
            }
            String unknown = unknownCluster(t.tree(), clusterNames);
            if (unknown != null && !resources.versions().containsKey(XdsTypes.CDS)) {
                // before the first CDS response: wait for it (readiness waits anyway); after it, a route to a cluster the
                // control plane does not have answers 503 and the listener serves its other routes, as Envoy's does
                waiting.add("listener '" + l.getName() + "' (cluster '" + unknown + "')");
                missing.add(new XdsTranslator.Missing(XdsTypes.CDS, unknown));
                continue;
            }
            owners.put("listeners[" + listeners.size() + "]", "listener '" + l.getName() + "'");
            listeners.add(t.tree());
        }
        root.put("listeners", listeners);
        root.put("clusters", clusters);
        String composed = new Dump(DumpSettings.builder().build()).dumpToString(root);
        try {
            return new Composed(builder.build(file, composed), List.copyOf(waiting), List.copyOf(missing), Set.copyOf(fileEds));
        } catch (ConfigException e) {
            List<String> errors = new ArrayList<>();
            for (ConfigError err : e.errors()) {
                errors.add(describe(err, owners));
            }
            throw new XdsException(String.join("; ", errors));
        }
    }

    /** An error in a resource, named by the resource: {@code cluster 'shop': lb_policy: 'fastest' (expected: ...)}. */
    private static String describe(ConfigError err, Map<String, String> owners) {
        String path = err.path();
        for (Map.Entry<String, String> o : owners.entrySet()) {
            if (path.equals(o.getKey()) || path.startsWith(o.getKey() + ".")) {
                String rest = path.substring(o.getKey().length());
                return o.getValue() + ": " + (rest.isEmpty() ? "" : rest.substring(1) + ": ") + err.message();
            }
        }
        return err.toString(); // the file's own part (it was valid alone: a conflict, e.g. a duplicate name)
    }

    /** The first cluster a listener's routes name that the config does not have, or {@code null}. */
    @SuppressWarnings("unchecked")
    private static String unknownCluster(Map<String, Object> listener, Set<String> clusters) {
        for (Object vh : listener.get("virtual_hosts") instanceof List<?> l ? l : List.of()) {
            for (Object r : ((Map<String, Object>) vh).get("routes") instanceof List<?> l ? l : List.of()) {
                Object action = ((Map<String, Object>) r).get("route");
                if (!(action instanceof Map<?, ?> a)) {
                    continue;
                }
                if (a.get("cluster") instanceof String c && !clusters.contains(c)) {
                    return c;
                }
                if (a.get("weighted_clusters") instanceof Map<?, ?> w && w.get("clusters") instanceof List<?> wl) {
                    for (Object wc : wl) {
                        if (wc instanceof Map<?, ?> m && m.get("name") instanceof String c && !clusters.contains(c)) {
                            return c;
                        }
                    }
                }
            }
        }
        return null;
    }
}
