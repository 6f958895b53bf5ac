package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.outrigger.config.HeaderMatcher;
import io.outrigger.config.QueryParameterMatcher;
import io.outrigger.config.RouteAction;
import io.outrigger.config.RouteConfig;
import io.outrigger.config.RouteMatch;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A compiled route: match conditions and the action. Immutable.
 *
 * <p>Matching reports which condition failed first as an int ({@link #firstFailure}), so the request path
 * allocates nothing and {@link RouteExplainer} explains a miss from the same code, never a second copy of the rules.
 * Conditions are tested in this order: the CONNECT kind, the path, each header, each query parameter.
 *
 * @param name   the route's {@code name}, or {@code null}
 * @param match  path, header and query-parameter conditions
 * @param action forward, redirect or direct response
 * @param filterConfigs per HTTP filter name, its parsed settings for this route (the route's over its virtual host's),
 *               as the filter's factory made them; empty when none
 */
public record RouteEntry(String name, RouteMatch match, RouteConfig.Action action, java.util.Map<String, Object> filterConfigs) {
    /** A route without per-filter settings. */
    public RouteEntry(String name, RouteMatch match, RouteConfig.Action action) {
        this(name, match, action, java.util.Map.of());
    }

    /** {@link #firstFailure} result: every condition holds. */
    static final int MATCHED = -1;
    /** {@link #firstFailure} result: a CONNECT request on a non-CONNECT route, or the reverse. */
    static final int FAILED_CONNECT = 0;
    /** {@link #firstFailure} result: the path condition. */
    static final int FAILED_PATH = 1;
    /** {@link #firstFailure} results from here: header condition {@code i} is {@code FAILED_HEADER + i}, then queries. */
    static final int FAILED_HEADER = 2;

    /** Whether every condition holds. */
    boolean matches(String path, String uri, HttpHeaders headers, boolean connect) {
        return firstFailure(path, uri, headers, connect) == MATCHED;
    }

    /**
     * @param path    the request path without query or fragment
     * @param uri     the whole origin-form target (for query parameters)
     * @param headers the request headers
     * @param connect whether the request is a CONNECT
     * @return {@link #MATCHED}, or the first failing condition: {@link #FAILED_CONNECT}, {@link #FAILED_PATH},
     *         {@code FAILED_HEADER + i} for header condition i, {@code FAILED_HEADER + headers + j} for query
     *         condition j
     */
    int firstFailure(String path, String uri, HttpHeaders headers, boolean connect) {
        if (connect != (match.pathKind() == RouteMatch.PathKind.CONNECT)) {
            return FAILED_CONNECT; // CONNECT requests match connect_matcher routes only, and those match nothing else
        }
        String p = match.caseSensitive() ? path : path.toLowerCase(Locale.ROOT);
        boolean pathOk = switch (match.pathKind()) {
            case PREFIX -> p.startsWith(match.path());
            case PATH -> p.equals(match.path());
            case SAFE_REGEX -> match.regex().matches(path);
            case CONNECT -> true;
        };
        if (!pathOk) {
            return FAILED_PATH;
        }
        List<HeaderMatcher> hs = match.headers();
        for (int i = 0; i < hs.size(); i++) {
            HeaderMatcher h = hs.get(i);
            if (!h.matches(headers.get(h.name()))) {
                return FAILED_HEADER + i;
            }
        }
        List<QueryParameterMatcher> qs = match.queryParameters();
        if (!qs.isEmpty()) {
            Map<String, List<String>> params = queryParameters(uri);
            for (int j = 0; j < qs.size(); j++) {
                QueryParameterMatcher q = qs.get(j);
                if (!q.matches(firstValue(params, q.name()))) {
                    return FAILED_HEADER + hs.size() + j;
                }
            }
        }
        return MATCHED;
    }

    /** The query's parameters, %-decoded; empty for a target without a query or with a broken escape. */
    static Map<String, List<String>> queryParameters(String uri) {
        if (uri.indexOf('?') < 0) {
            return Map.of();
        }
        try {
            return new QueryStringDecoder(uri).parameters();
        } catch (IllegalArgumentException e) {
            return Map.of(); // a broken %-escape: no parameters (the codecs refuse such targets before this)
        }
    }

    static String firstValue(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The forwarding action, or {@code null} for a redirect or direct response. */
    RouteAction forward() {
        return action instanceof RouteAction a ? a : null;
    }

    /**
     * Applies {@code prefix_rewrite}, then {@code regex_rewrite}, to a request target.
     *
     * @param uri the origin-form target ({@code /path?query})
     * @return the rewritten target, or {@code uri} when the route has no rewrite
     */
    String rewritePath(String uri) {
        RouteAction a = forward();
        if (a == null) {
            return uri;
        }
        String out = a.prefixRewrite() == null ? uri : a.prefixRewrite() + uri.substring(match.path().length());
        return a.regexRewrite() == null ? out : a.regexRewrite().apply(out);
    }

    /** A label for logs and explanations: the route's name, else its path condition. */
    String label() {
        return name != null ? name : describeMatch(match);
    }

    /** The path condition as its YAML reads, e.g. {@code prefix /api/}. */
    static String describeMatch(RouteMatch m) {
        return switch (m.pathKind()) {
            case PREFIX -> "prefix " + m.path();
            case PATH -> "path " + m.path();
            case SAFE_REGEX -> "safe_regex " + m.path();
            case CONNECT -> "connect_matcher";
        };
    }
}
