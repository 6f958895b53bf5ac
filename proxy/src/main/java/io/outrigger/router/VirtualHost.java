package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * A compiled virtual host: its routes in order, first match wins. Immutable.
 */
public final class VirtualHost {
    /**
     * Up to this many routes they are scanned: the index costs ~85 ns whichever route, a scan ~28 ns for the first
     * and ~10 ns per route before it ({@code RouteMatchBenchmark}).
     */
    static final int SCAN_UP_TO = 4;

    private final String name;
    private final List<RouteEntry> routes;
    private final RouteIndex index; // null when the routes are scanned

    /**
     * @param name   the virtual host's name
     * @param routes routes in config order
     */
    public VirtualHost(String name, List<RouteEntry> routes) {
        this.name = name;
        this.routes = List.copyOf(routes);
        this.index = this.routes.size() > SCAN_UP_TO ? new RouteIndex(this.routes) : null;
    }

    /** The virtual host's name. */
    public String name() {
        return name;
    }

    /** Its routes in config order. */
    public List<RouteEntry> routes() {
        return routes;
    }

    /**
     * @param path the request path without query or fragment
     * @param uri  the whole origin-form target
     * @return the first route matching, or {@code null}
     */
    RouteEntry route(String path, String uri, HttpHeaders headers, boolean connect) {
        return index != null ? index.route(path, uri, headers, connect) : scan(path, uri, headers, connect);
    }

    /** {@link #route} by testing every route in order. */
    RouteEntry scan(String path, String uri, HttpHeaders headers, boolean connect) {
        for (int i = 0; i < routes.size(); i++) {
            RouteEntry r = routes.get(i);
            if (r.matches(path, uri, headers, connect)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "VirtualHost[" + name + ", " + routes.size() + " routes]";
    }
}
