package io.outrigger.config;

/**
 * One entry of a listener's {@code http_filters}.
 *
 * @param name   the filter's registered name, e.g. {@code headers}
 * @param config the filter's own settings, left for its factory to parse; {@code null} when absent
 * @param node   the entry itself, for locating errors found later (e.g. an unregistered name)
 */
public record HttpFilterConfig(String name, ConfigNode config, ConfigNode node) {
}
