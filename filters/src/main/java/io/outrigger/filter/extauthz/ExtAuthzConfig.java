package io.outrigger.filter.extauthz;

import io.outrigger.config.StringMatcher;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@code ext_authz} filter's settings (Envoy's {@code ExtAuthz} with {@code http_service}).
 *
 * @param serverUri              {@code http_service.server_uri.uri}: the authorization service
 * @param timeout                {@code server_uri.timeout} (default 200 ms, Envoy's)
 * @param pathPrefix             {@code path_prefix}: put before the request's path in the check request
 * @param allowedHeaders         {@code authorization_request.allowed_headers}: client headers sent along (besides
 *                               {@code authorization}, always sent)
 * @param headersToAdd           {@code authorization_request.headers_to_add}
 * @param allowedUpstreamHeaders {@code authorization_response.allowed_upstream_headers}: headers of an OK answer added
 *                               to the upstream request
 * @param allowedClientHeaders   {@code authorization_response.allowed_client_headers}: headers of a denial sent to the
 *                               client (default: all but hop-by-hop and framing)
 * @param failureModeAllow       {@code failure_mode_allow}: an unreachable or failing service lets requests through
 * @param statusOnError          {@code status_on_error.code}: the answer when it does not (default 403, Envoy's)
 * @param withRequestBody        {@code with_request_body}: the body goes to the service too, or {@code null}
 */
record ExtAuthzConfig(URI serverUri, Duration timeout, String pathPrefix, List<StringMatcher> allowedHeaders,
                      Map<String, String> headersToAdd, List<StringMatcher> allowedUpstreamHeaders,
                      List<StringMatcher> allowedClientHeaders, boolean failureModeAllow, int statusOnError,
                      BufferSettings withRequestBody, Stats stats) {
    /**
     * Envoy's {@code BufferSettings}: the request body is gathered (up to {@code maxRequestBytes}) and sent with the
     * check.
     *
     * @param maxRequestBytes     the most body bytes sent, bytes
     * @param allowPartialMessage past the bound, send the first {@code maxRequestBytes} (with
     *                            {@code x-outrigger-auth-partial-body: true}); else the request gets 413
     */
    record BufferSettings(int maxRequestBytes, boolean allowPartialMessage) {
    }

    /** Envoy's counters {@code ext_authz.ok}, {@code .denied}, {@code .error}, {@code .failure_mode_allowed}. */
    record Stats(LongAdder ok, LongAdder denied, LongAdder error, LongAdder failureModeAllowed) {
    }

    ExtAuthzConfig {
        allowedHeaders = List.copyOf(allowedHeaders);
        headersToAdd = Map.copyOf(headersToAdd);
        allowedUpstreamHeaders = List.copyOf(allowedUpstreamHeaders);
        allowedClientHeaders = List.copyOf(allowedClientHeaders);
    }

    static boolean anyMatch(List<StringMatcher> patterns, String name) {
        for (StringMatcher m : patterns) {
            if (m.matches(name)) {
                return true;
            }
        }
        return false;
    }
}
