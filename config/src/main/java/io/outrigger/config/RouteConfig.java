package io.outrigger.config;

/**
 * One route: when {@code match} matches, do what {@code action} says.
 *
 * @param name   the route's {@code name} (Envoy's; shown by {@code outrigger route} and the access log), or
 *               {@code null}
 * @param match  path, header and query-parameter conditions
 * @param action exactly one of {@code route} (forward: {@link RouteAction}), {@code redirect}
 *               ({@link RedirectAction}) and {@code direct_response} ({@link DirectResponseAction})
 */
public record RouteConfig(String name, RouteMatch match, Action action) {
    /** What a matched route does. */
    public sealed interface Action permits RouteAction, RedirectAction, DirectResponseAction {
    }
}
