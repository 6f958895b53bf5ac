package io.outrigger.server;

import io.outrigger.config.HttpFilterConfig;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.HttpFilterConfigFactory;
import io.outrigger.filter.HttpFilterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves each listener's {@code http_filters} against the registry and lets each filter type parse its
 * own settings. Runs as part of config validation, so filter errors carry file, line and column too.
 */
public final class FilterChains {
    private final Map<String, List<FilterFactory>> byListener;

    private FilterChains(Map<String, List<FilterFactory>> byListener) {
        this.byListener = byListener;
    }

    /** Builds the chains, recording errors (unknown filter names, bad settings) on the config nodes. */
    public static FilterChains build(OutriggerConfig config, HttpFilterRegistry registry) {
        Map<String, List<FilterFactory>> map = new HashMap<>();
        for (ListenerConfig l : config.listeners()) {
            List<FilterFactory> chain = new ArrayList<>();
            for (HttpFilterConfig f : l.httpFilters()) {
                HttpFilterConfigFactory type = registry.get(f.name());
                if (type == null) {
                    f.node().asMap().optional("name").orElse(f.node()).error(
                            "'" + f.name() + "' (expected: one of " + registry.names() + ")");
                    continue;
                }
                FilterFactory factory = type.createFilterFactory(f.config(), f.node());
                if (factory != null) {
                    chain.add(factory);
                }
            }
            map.put(l.name(), List.copyOf(chain));
        }
        return new FilterChains(Map.copyOf(map));
    }

    /** The filters of the listener named {@code listener}, in order. */
    public List<FilterFactory> forListener(String listener) {
        return byListener.getOrDefault(listener, List.of());
    }
}
