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
}
