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
    /** Every host gets {@link #catchAll} (a sidecar's usual single {@code domains: ["*"]}): no lower-casing, no lookup. */
    private final boolean catchAllOnly;
    private final List<DomainRule> rules; // every domain pattern in config order, for explanations
    private final boolean hasFilterConfigs;

    /** How a domain pattern compares with a {@code Host}, in Envoy's precedence order. */
    public enum DomainKind {
        /** {@code api.example.com}: the whole value. */
        EXACT,
        /** {@code *.example.com}: a suffix; the longest wins. */
        SUFFIX_WILDCARD,
        /** {@code api.*}: a prefix; the longest wins. */
        PREFIX_WILDCARD,
        /** {@code *}: anything. */
        CATCH_ALL
    }

    /**
     * One domain pattern of a virtual host.
     *
     * @param pattern     as configured, lower-cased
     * @param kind        its kind
     * @param virtualHost the virtual host it belongs to
     */
    public record DomainRule(String pattern, DomainKind kind, VirtualHost virtualHost) {
        boolean matches(String lowerHost) {
            return switch (kind) {
                case EXACT -> lowerHost.equals(pattern);
                case SUFFIX_WILDCARD -> lowerHost.length() > pattern.length() - 1 && lowerHost.endsWith(pattern.substring(1));
                case PREFIX_WILDCARD -> lowerHost.length() > pattern.length() - 1
                        && lowerHost.startsWith(pattern.substring(0, pattern.length() - 1));
                case CATCH_ALL -> true;
            };
        }
    }

    private RouteTable(Map<String, VirtualHost> exact, List<Map.Entry<String, VirtualHost>> suffixes,
                       List<Map.Entry<String, VirtualHost>> prefixes, VirtualHost catchAll, List<DomainRule> rules,
                       boolean hasFilterConfigs) {
        this.hasFilterConfigs = hasFilterConfigs;
        this.exact = exact;
        this.suffixes = suffixes;
        this.prefixes = prefixes;
        this.catchAll = catchAll;
        this.catchAllOnly = exact.isEmpty() && suffixes.isEmpty() && prefixes.isEmpty();
        this.rules = rules;
    }

    /** Compiles a listener's virtual hosts, without per-filter settings. */
    public static RouteTable build(ListenerConfig listener) {
        return build(listener, (v, r) -> java.util.Map.of());
    }

    /**
     * Compiles a listener's virtual hosts. The first virtual host to claim a domain keeps it.
     *
     * @param filterConfigs each route's parsed per-filter settings, merged with its virtual host's
     *                      ({@code FilterChains#routeConfigs})
     */
    public static RouteTable build(ListenerConfig listener,
                                   java.util.function.BiFunction<VirtualHostConfig, RouteConfig, java.util.Map<String, Object>> filterConfigs) {
        Map<String, VirtualHost> exact = new HashMap<>();
        List<Map.Entry<String, VirtualHost>> suffixes = new ArrayList<>();
        List<Map.Entry<String, VirtualHost>> prefixes = new ArrayList<>();
        VirtualHost catchAll = null;
        List<DomainRule> rules = new ArrayList<>();
        boolean hasFilterConfigs = false;
        for (VirtualHostConfig vc : listener.virtualHosts()) {
            List<RouteEntry> routes = new ArrayList<>();
            for (RouteConfig rc : vc.routes()) {
                java.util.Map<String, Object> fc = filterConfigs.apply(vc, rc);
                hasFilterConfigs |= !fc.isEmpty();
                routes.add(new RouteEntry(rc.name(), rc.match(), rc.action(), fc));
            }
            VirtualHost vh = new VirtualHost(vc.name(), routes);
            for (String d : vc.domains()) {
                if (d.equals("*")) {
                    catchAll = catchAll == null ? vh : catchAll;
                    rules.add(new DomainRule(d, DomainKind.CATCH_ALL, vh));
                } else if (d.startsWith("*")) {
                    suffixes.add(Map.entry(d.substring(1), vh));
                    rules.add(new DomainRule(d, DomainKind.SUFFIX_WILDCARD, vh));
                } else if (d.endsWith("*")) {
                    prefixes.add(Map.entry(d.substring(0, d.length() - 1), vh));
                    rules.add(new DomainRule(d, DomainKind.PREFIX_WILDCARD, vh));
                } else {
                    exact.putIfAbsent(d, vh);
                    rules.add(new DomainRule(d, DomainKind.EXACT, vh));
                }
            }
        }
        Comparator<Map.Entry<String, VirtualHost>> longestFirst =
                Comparator.comparingInt((Map.Entry<String, VirtualHost> e) -> e.getKey().length()).reversed();
        suffixes.sort(longestFirst);
        prefixes.sort(longestFirst);
        return new RouteTable(Map.copyOf(exact), List.copyOf(suffixes), List.copyOf(prefixes), catchAll,
                List.copyOf(rules), hasFilterConfigs);
    }

    /**
     * Every domain pattern matching {@code host}, the winner first, in the precedence {@link #virtualHost} applies
     * (kind, then longer wildcard first, then config order). For explanations; allocates.
     *
     * @param host the {@code Host}/{@code :authority} value, or {@code null}
     */
    public List<DomainRule> matchingDomains(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        List<DomainRule> out = new ArrayList<>();
        for (DomainRule r : rules) {
            if (!h.isEmpty() && r.matches(h) || r.kind() == DomainKind.CATCH_ALL) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(DomainRule::kind)
                .thenComparing(Comparator.comparingInt((DomainRule r) -> r.pattern().length()).reversed()));
        return out;
    }

    /** The virtual hosts, in config order. */
    public List<VirtualHost> virtualHosts() {
        List<VirtualHost> out = new ArrayList<>();
        for (DomainRule r : rules) {
            if (!out.contains(r.virtualHost())) {
                out.add(r.virtualHost());
            }
        }
        return out;
    }

    /**
     * Selects the virtual host for a {@code Host} value.
     *
     * @param host the {@code Host}/{@code :authority} value, or {@code null}
     * @return the virtual host, or {@code null} when none matches
     */
    public VirtualHost virtualHost(String host) {
        if (host != null && !host.isEmpty() && !catchAllOnly) {
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

    /** Whether any route carries per-filter settings (else filters never need the route before the router). */
    public boolean hasFilterConfigs() {
        return hasFilterConfigs;
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
        String uri = request.uri();
        return vh.route(pathOf(uri), uri, request.headers(), HttpMethod.CONNECT.equals(request.method()));
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
