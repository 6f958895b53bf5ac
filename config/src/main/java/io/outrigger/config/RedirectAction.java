package io.outrigger.config;

/**
 * A route's {@code redirect:} (Envoy's {@code RedirectAction}): the proxy answers with a redirect whose
 * {@code Location} is the request's URL with the configured parts replaced. Unset parts keep the request's.
 *
 * @param scheme        {@code scheme_redirect}, or {@code "https"} for {@code https_redirect: true}; {@code null}:
 *                      keep the request's scheme (its {@code x-forwarded-proto})
 * @param host          {@code host_redirect}, or {@code null}
 * @param port          {@code port_redirect}, or 0 to keep the request's port (a scheme change drops an explicit
 *                      default port: 80 for http, 443 for https)
 * @param path          {@code path_redirect}: replaces the path, and the query too when it has one; or {@code null}
 * @param prefixRewrite {@code prefix_rewrite}: replaces the matched prefix, or {@code null}
 * @param regexRewrite  {@code regex_rewrite}, or {@code null}
 * @param responseCode  301 ({@code MOVED_PERMANENTLY}, the default), 302, 303, 307 or 308
 * @param stripQuery    {@code strip_query}: drop the request's query
 */
public record RedirectAction(String scheme, String host, int port, String path, String prefixRewrite,
                             RegexRewrite regexRewrite, int responseCode, boolean stripQuery)
        implements RouteConfig.Action {
}
