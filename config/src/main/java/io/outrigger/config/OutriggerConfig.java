package io.outrigger.config;

import java.util.List;
import java.util.Optional;

/**
 * The whole configuration: an immutable snapshot, validated as a whole by {@link ConfigLoader}.
 *
 * @param admin     the admin listener
 * @param listeners downstream listeners
 * @param clusters  upstream clusters
 * @param tracing   distributed tracing, or {@code null} when not configured (nothing is traced)
 * @param overloadManager what is shed under memory pressure ({@link OverloadManagerConfig#DEFAULT} when not set)
 * @param dynamicResources {@code node} and {@code dynamic_resources}: listeners and clusters also come from a control
 *                  plane over xDS; {@code null} when the file is the only source
 * @param warnings  legal settings that are probably mistakes (a shadowed route, a hash policy nothing uses), located;
 *                  {@code validate} prints them and {@code run} logs them
 */
public record OutriggerConfig(AdminConfig admin, List<ListenerConfig> listeners, List<ClusterConfig> clusters,
                              TracingConfig tracing, OverloadManagerConfig overloadManager,
                              DynamicResourcesConfig dynamicResources, List<ConfigError> warnings) {
    public OutriggerConfig {
        warnings = List.copyOf(warnings);
        listeners = List.copyOf(listeners);
        clusters = List.copyOf(clusters);
    }

    /** Finds a cluster by name. */
    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
