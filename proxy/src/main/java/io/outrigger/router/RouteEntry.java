package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaders;
import io.outrigger.config.HeaderMatcher;
import io.outrigger.config.RouteAction;
import io.outrigger.config.RouteMatch;
import java.util.List;
import java.util.Locale;

/**
 * A compiled route: match conditions and the action. Immutable.
 *
 * @param match  path and header conditions
 * @param action cluster, timeout, rewrites, hash policy
 */
public record RouteEntry(RouteMatch match, RouteAction action) {

    /**
     * @param path    the request path without query or fragment
     * @param headers the request headers
     * @param connect   whether the request is a CONNECT
     */
    boolean matches(String path, HttpHeaders headers, boolean connect) {
        if (connect != (match.pathKind() == RouteMatch.PathKind.CONNECT)) {
            return false; // CONNECT requests match connect_matcher routes only, and those match nothing else
        }
        String p = match.caseSensitive() ? path : path.toLowerCase(Locale.ROOT);
        boolean pathOk = switch (match.pathKind()) {
            case PREFIX -> p.startsWith(match.path());
            case PATH -> p.equals(match.path());
            case SAFE_REGEX -> match.regex().matches(path);
            case CONNECT -> true;
        };
        if (!pathOk) {
            return false;
        }
        List<HeaderMatcher> hs = match.headers();
        for (int i = 0; i < hs.size(); i++) {
            HeaderMatcher h = hs.get(i);
            if (!h.matches(headers.get(h.name()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies {@code prefix_rewrite} to a request target.
     *
     * @param uri the origin-form target ({@code /path?query})
     * @return the rewritten target, or {@code uri} when the route has no rewrite
     */
    String rewritePath(String uri) {
        String rewrite = action.prefixRewrite();
        if (rewrite == null) {
            return uri;
        }
        return rewrite + uri.substring(match.path().length());
    }
}
