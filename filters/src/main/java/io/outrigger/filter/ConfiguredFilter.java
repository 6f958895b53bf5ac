package io.outrigger.filter;

/**
 * One entry of a listener's {@code http_filters}: its name (what {@code typed_per_filter_config} refers to) and the
 * factory of its per-stream instances.
 */
public record ConfiguredFilter(String name, FilterFactory factory) {
}
