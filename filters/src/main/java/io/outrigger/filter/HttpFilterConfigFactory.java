package io.outrigger.filter;

import io.outrigger.config.ConfigNode;

/**
 * A named HTTP filter type, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.outrigger.filter.HttpFilterConfigFactory}). It parses the filter's
 * {@code config:} section and returns the per-stream factory.
 */
public interface HttpFilterConfigFactory {
    /** The name used in {@code http_filters[].name}. */
    String name();

    /**
     * Parses and validates this filter's settings.
     *
     * @param config the {@code config:} node, or {@code null} when the entry has none
     * @param entry  the {@code http_filters[]} entry, to locate errors about a missing config
     * @return the factory, or {@code null} after recording errors on the nodes
     */
    FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry);

    /**
     * Parses this filter's settings for one route or virtual host ({@code typed_per_filter_config: { NAME: {...} }}),
     * which the filter reads per stream with {@link StreamFilterCallbacks#routeSpecificConfig}. {@code { disabled: true }}
     * never reaches this method. By default a filter has no per-route settings.
     *
     * @param config the entry's node
     * @return the parsed settings (immutable; shared by every stream), or {@code null} after recording errors
     */
    default Object createRouteSpecificConfig(ConfigNode config) {
        config.error("the '" + name() + "' filter has no per-route settings (only { disabled: true })");
        return null;
    }
}
