package io.outrigger.config;

import com.google.re2j.Pattern;
import java.util.List;

/**
 * A route's match: exactly one path condition plus optional header and query-parameter conditions (all must hold).
 *
 * @param pathKind  how {@code path} is compared
 * @param path      the prefix, exact path, or regex source
 * @param regex     the compiled RE2 pattern when {@code pathKind} is {@code SAFE_REGEX}; else {@code null}
 * @param headers   header conditions, all of which must match
 * @param queryParameters query-parameter conditions ({@code query_parameters}), all of which must match
 * @param caseSensitive whether path comparison is case-sensitive (Envoy's {@code case_sensitive}, default true)
 */
public record RouteMatch(PathKind pathKind, String path, Pattern regex, List<HeaderMatcher> headers,
                         List<QueryParameterMatcher> queryParameters, boolean caseSensitive) {
    /** Path condition kinds, by YAML key. */
    public enum PathKind {
        /** {@code prefix:} the path starts with the value. */
        PREFIX,
        /** {@code path:} the path (without query) equals the value. */
        PATH,
        /** {@code safe_regex:} the whole path (without query) matches an RE2 expression. */
        SAFE_REGEX,
        /**
         * {@code connect_matcher: {}} (Envoy's): matches CONNECT requests, whatever their target; a CONNECT request
         * matches only such routes.
         */
        CONNECT
    }

    public RouteMatch {
        headers = List.copyOf(headers);
        queryParameters = List.copyOf(queryParameters);
        if ((pathKind == PathKind.SAFE_REGEX) != (regex != null)) {
            throw new IllegalArgumentException("regex: must be set exactly for SAFE_REGEX");
        }
    }
}
