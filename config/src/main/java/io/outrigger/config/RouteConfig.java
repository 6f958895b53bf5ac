package io.outrigger.config;

/**
 * One route: when {@code match} matches, forward as {@code route} says.
 *
 * @param match  path and header conditions
 * @param action where and how to forward (YAML key {@code route})
 */
public record RouteConfig(RouteMatch match, RouteAction action) {
}
