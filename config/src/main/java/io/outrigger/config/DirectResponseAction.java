package io.outrigger.config;

/**
 * A route's {@code direct_response: { status, body: { inline_string | filename } }} (Envoy's): the proxy answers
 * itself; nothing goes upstream.
 *
 * @param status the HTTP status, 200..599
 * @param body   the response body (read once at load for {@code filename}), or {@code null} for none; sent as
 *               {@code text/plain}, at most {@link #MAX_BODY_BYTES}
 */
public record DirectResponseAction(int status, String body) implements RouteConfig.Action {
    /** Envoy's default {@code max_direct_response_body_size_bytes}. */
    public static final int MAX_BODY_BYTES = 4096;

    public DirectResponseAction {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
        }
    }
}
