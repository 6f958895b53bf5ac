package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.RouteConfig;
import io.outrigger.config.VirtualHostConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A listener's routing table: virtual hosts selected by {@code Host}/{@code :authority}, then routes.
 * Immutable; built once per config.
 *
 * <p>Virtual host selection follows Envoy's order, most specific first: an exact domain; then the
 * longest matching {@code *.suffix} (a suffix wildcard needs at least one character in place of the
 * {@code *}); then the longest matching {@code prefix.*}; then {@code *}. The {@code Host} value is
 * compared whole and case-insensitively, port included ({@code catalog:*} matches any port).
 */
public final class RouteTable {
    private final Map<String, VirtualHost> exact;
    private final List<Map.Entry<String, VirtualHost>> suffixes; // "*.foo.com" stored as ".foo.com"; longest first
    private final List<Map.Entry<String, VirtualHost>> prefixes; // "foo.*" stored as "foo."; longest first
    private final VirtualHost catchAll;

    private RouteTable(Map<String, VirtualHost> exact, List<Map.Entry<String, VirtualHost>> suffixes,
                       List<Map.Entry<String, VirtualHost>> prefixes, VirtualHost catchAll) {
        this.exact = exact;
        this.suffixes = suffixes;
        this.prefixes = prefixes;
        this.catchAll = catchAll;
    }

    /** Compiles a listener's virtual hosts. The first virtual host to claim a domain keeps it. */
    public static RouteTable build(ListenerConfig listener) {
        Map<String, VirtualHost> exact = new HashMap<>();
        List<Map.Entry<String, VirtualHost>> suffixes = new ArrayList<>();
        List<Map.Entry<String, VirtualHost>> prefixes = new ArrayList<>();
        VirtualHost catchAll = null;
        for (VirtualHostConfig vc : listener.virtualHosts()) {
            List<RouteEntry> routes = new ArrayList<>();
            for (RouteConfig rc : vc.routes()) {
                routes.add(new RouteEntry(rc.match(), rc.action()));
            }
            VirtualHost vh = new VirtualHost(vc.name(), routes);
            for (String d : vc.domains()) {
                if (d.equals("*")) {
                    catchAll = catchAll == null ? vh : catchAll;
                } else if (d.startsWith("*")) {
                    suffixes.add(Map.entry(d.substring(1), vh));
                } else if (d.endsWith("*")) {
                    prefixes.add(Map.entry(d.substring(0, d.length() - 1), vh));
                } else {
                    exact.putIfAbsent(d, vh);
                }
            }
        }
        Comparator<Map.Entry<String, VirtualHost>> longestFirst =
                Comparator.comparingInt((Map.Entry<String, VirtualHost> e) -> e.getKey().length()).reversed();
        suffixes.sort(longestFirst);
        prefixes.sort(longestFirst);
        return new RouteTable(Map.copyOf(exact), List.copyOf(suffixes), List.copyOf(prefixes), catchAll);
    }

    /**
     * Selects the virtual host for a {@code Host} value.
     *
     * @param host the {@code Host}/{@code :authority} value, or {@code null}
     * @return the virtual host, or {@code null} when none matches
     */
    public VirtualHost virtualHost(String host) {
        if (host != null && !host.isEmpty()) {
            String h = host.toLowerCase(Locale.ROOT);
            VirtualHost vh = exact.get(h);
            if (vh != null) {
                return vh;
            }
            for (int i = 0; i < suffixes.size(); i++) {
                Map.Entry<String, VirtualHost> e = suffixes.get(i);
                if (h.length() > e.getKey().length() && h.endsWith(e.getKey())) {
                    return e.getValue();
                }
            }
            for (int i = 0; i < prefixes.size(); i++) {
                Map.Entry<String, VirtualHost> e = prefixes.get(i);
                if (h.length() > e.getKey().length() && h.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return catchAll;
    }

    /**
     * Finds the route for a request: virtual host by {@code Host}, then the first matching route.
     *
     * @return the route, or {@code null} (the caller answers 404)
     */
    public RouteEntry route(HttpRequest request) {
        VirtualHost vh = virtualHost(request.headers().get(HttpHeaderNames.HOST));
        if (vh == null) {
            return null;
        }
        return vh.route(pathOf(request.uri()), request.headers(), HttpMethod.CONNECT.equals(request.method()));
    }

    /** The path of an origin-form request target: up to the first {@code ?} or {@code #}. */
    static String pathOf(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                return uri.substring(0, i);
            }
        }
        return uri;
    }
}
