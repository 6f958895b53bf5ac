package io.outrigger.filter.cors;

import io.outrigger.config.StringMatcher;
import java.util.List;

/**
 * Envoy's {@code CorsPolicy}: which origins may read responses and what a preflight allows.
 *
 * @param allowOrigins     {@code allow_origin_string_match}: an {@code Origin} matching any of these is allowed ({@code *}
 *                         is never sent: the allowed origin is echoed)
 * @param allowMethods     {@code allow_methods}, as sent in {@code access-control-allow-methods} ({@code null}: not sent)
 * @param allowHeaders     {@code allow_headers} ({@code null}: not sent)
 * @param exposeHeaders    {@code expose_headers} on actual responses ({@code null}: not sent)
 * @param maxAge           {@code max_age} in seconds, as text ({@code null}: not sent)
 * @param allowCredentials {@code allow_credentials}
 */
public record CorsPolicy(List<StringMatcher> allowOrigins, String allowMethods, String allowHeaders, String exposeHeaders,
                         String maxAge, boolean allowCredentials) {
    public CorsPolicy {
        allowOrigins = List.copyOf(allowOrigins);
    }

    /** Whether {@code origin} may read responses. */
    public boolean allows(String origin) {
        for (int i = 0; i < allowOrigins.size(); i++) {
            if (allowOrigins.get(i).matches(origin)) {
                return true;
            }
        }
        return false;
    }
}
