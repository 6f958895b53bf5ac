package io.outrigger.filter;

/**
 * A route's or virtual host's {@code typed_per_filter_config: { NAME: { disabled: true } }} (Envoy's
 * {@code FilterConfig.disabled}): the filter does not run for requests that match there.
 */
public enum FilterConfigDisabled {
    INSTANCE
}
