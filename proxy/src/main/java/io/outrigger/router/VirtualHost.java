package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * A compiled virtual host: its routes in order, first match wins.
 *
 * @param name   the virtual host's name
 * @param routes routes in config order
 */
public record VirtualHost(String name, List<RouteEntry> routes) {
    public VirtualHost {
        routes = List.copyOf(routes);
    }

    /**
     * @param path the request path without query or fragment
     * @param uri  the whole origin-form target
     * @return the first route matching, or {@code null}
     */
    RouteEntry route(String path, String uri, HttpHeaders headers, boolean connect) {
        for (int i = 0; i < routes.size(); i++) {
            RouteEntry r = routes.get(i);
            if (r.matches(path, uri, headers, connect)) {
                return r;
            }
        }
        return null;
    }
}
