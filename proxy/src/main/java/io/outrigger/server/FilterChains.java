package io.outrigger.server;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.HttpFilterConfig;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.config.RouteConfig;
import io.outrigger.config.VirtualHostConfig;
import io.outrigger.filter.ConfiguredFilter;
import io.outrigger.filter.FilterConfigDisabled;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.HttpFilterConfigFactory;
import io.outrigger.filter.HttpFilterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Resolves each listener's {@code http_filters} against the registry and lets each filter type parse its
 * own settings, and its per-route and per-virtual-host settings ({@code typed_per_filter_config}). Runs as part of
 * config validation, so filter errors carry file, line and column too.
 */
public final class FilterChains {
    private final Map<String, List<ConfiguredFilter>> byListener;
    /** Per virtual host and route config object (identity), its parsed per-filter settings. */
    private final Map<Object, Map<String, Object>> perRoute;

    private FilterChains(Map<String, List<ConfiguredFilter>> byListener, Map<Object, Map<String, Object>> perRoute) {
        this.byListener = byListener;
        this.perRoute = perRoute;
    }

    /** Builds the chains, recording errors (unknown filter names, bad settings) on the config nodes. */
    public static FilterChains build(OutriggerConfig config, HttpFilterRegistry registry) {
        Map<String, List<ConfiguredFilter>> map = new HashMap<>();
        Map<Object, Map<String, Object>> perRoute = new IdentityHashMap<>();
        for (ListenerConfig l : config.listeners()) {
            List<ConfiguredFilter> chain = new ArrayList<>();
            Map<String, HttpFilterConfigFactory> types = new HashMap<>();
            for (HttpFilterConfig f : l.httpFilters()) {
                HttpFilterConfigFactory type = registry.get(f.name());
                if (type == null) {
                    f.node().asMap().optional("name").orElse(f.node()).error(
                            "'" + f.name() + "' (expected: one of " + registry.names() + ")");
                    continue;
                }
                types.put(f.name(), type);
                FilterFactory factory = type.createFilterFactory(f.config(), f.node());
                if (factory != null) {
                    chain.add(new ConfiguredFilter(f.name(), factory));
                }
            }
            map.put(l.name(), List.copyOf(chain));
            for (VirtualHostConfig v : l.virtualHosts()) {
                parse(v.perFilterConfig(), types, v, perRoute);
                for (RouteConfig r : v.routes()) {
                    parse(r.perFilterConfig(), types, r, perRoute);
                }
            }
        }
        return new FilterChains(Map.copyOf(map), perRoute);
    }

    private static void parse(Map<String, ConfigNode> entries, Map<String, HttpFilterConfigFactory> types, Object owner,
                              Map<Object, Map<String, Object>> out) {
        if (entries.isEmpty()) {
            return;
        }
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries.entrySet()) {
            HttpFilterConfigFactory type = types.get(e.getKey());
            if (type == null) {
                e.getValue().error("no filter '" + e.getKey() + "' in this listener's http_filters (it has: "
                        + String.join(", ", types.keySet()) + ")");
                continue;
            }
            Object settings = disabled(e.getValue()) ? FilterConfigDisabled.INSTANCE
                    : type.createRouteSpecificConfig(e.getValue());
            if (settings != null) {
                parsed.put(e.getKey(), settings);
            }
        }
        out.put(owner, Map.copyOf(parsed));
    }

    // { disabled: true } (and nothing else): Envoy's FilterConfig.disabled
    private static boolean disabled(ConfigNode n) {
        if (!n.isMap()) {
            return false;
        }
        ConfigMap m = n.asMap();
        if (!m.keys().contains("disabled")) {
            return false;
        }
        boolean off = m.bool("disabled", false);
        m.finish();
        if (!off) {
            n.error("disabled: false (leave the entry out, or give the filter's settings)");
        }
        return true;
    }

    /** The filters of the listener named {@code listener}, in order. */
    public List<ConfiguredFilter> forListener(String listener) {
        return byListener.getOrDefault(listener, List.of());
    }

    /**
     * Each route's per-filter settings for {@code RouteTable.build}: its virtual host's, with the route's own entries
     * over them.
     */
    public BiFunction<VirtualHostConfig, RouteConfig, Map<String, Object>> routeConfigs() {
        return (v, r) -> {
            Map<String, Object> host = perRoute.getOrDefault(v, Map.of());
            Map<String, Object> route = perRoute.getOrDefault(r, Map.of());
            if (host.isEmpty() || route.isEmpty()) {
                return host.isEmpty() ? route : host;
            }
            Map<String, Object> merged = new LinkedHashMap<>(host);
            merged.putAll(route);
            return Map.copyOf(merged);
        };
    }
}
