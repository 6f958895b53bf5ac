package io.outrigger.config;

/**
 * One route: when {@code match} matches, do what {@code action} says.
 *
 * @param name   the route's {@code name} (Envoy's; shown by {@code outrigger route} and the access log), or
 *               {@code null}
 * @param match  path, header and query-parameter conditions
 * @param action exactly one of {@code route} (forward: {@link RouteAction}), {@code redirect}
 *               ({@link RedirectAction}) and {@code direct_response} ({@link DirectResponseAction})
 * @param perFilterConfig {@code typed_per_filter_config}: per HTTP filter name, its settings for this route (over the
 *               virtual host's), validated by that filter; {@code { disabled: true }} turns the filter off here
 */
public record RouteConfig(String name, RouteMatch match, Action action, java.util.Map<String, ConfigNode> perFilterConfig) {
    public RouteConfig {
        perFilterConfig = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perFilterConfig));
    }

    /** A route without per-filter settings. */
    public RouteConfig(String name, RouteMatch match, Action action) {
        this(name, match, action, java.util.Map.of());
    }

    /** What a matched route does. */
    public sealed interface Action permits RouteAction, RedirectAction, DirectResponseAction {
    }
}
