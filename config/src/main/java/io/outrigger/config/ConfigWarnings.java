package io.outrigger.config;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks for settings that are legal but probably not what was meant, recorded as located warnings (never errors):
 * a route that can never match because an earlier route of its virtual host matches everything it would; a
 * {@code hash_policy} on a route none of whose clusters hashes; a ring so small for its hosts' weights that a host's
 * share of keys is far off its weight.
 */
final class ConfigWarnings {
    /** Below this many ring entries a host's share of the hash space is off by more than ~1/√64 = 12.5%. */
    static final long MIN_ENTRIES_PER_HOST = 64;

    private final Map<RouteConfig, ConfigNode> routeNodes = new IdentityHashMap<>();

    /** Remembers where a route was read, for locating warnings about it. */
    void routeRead(RouteConfig route, ConfigNode node) {
        routeNodes.put(route, node);
    }

    /** Every check over the whole config. */
    void check(List<ListenerConfig> listeners, List<ClusterConfig> clusters, Map<String, ConfigNode> clusterNodes) {
        Map<String, ClusterConfig> byName = new java.util.HashMap<>();
        for (ClusterConfig c : clusters) {
            byName.putIfAbsent(c.name(), c);
            ConfigNode n = clusterNodes.get(c.name());
            if (n != null) {
                ringSize(c, n);
            }
        }
        for (ListenerConfig l : listeners) {
            for (VirtualHostConfig vh : l.virtualHosts()) {
                List<RouteConfig> routes = vh.routes();
                for (int j = 0; j < routes.size(); j++) {
                    ConfigNode node = routeNodes.get(routes.get(j));
                    if (node == null) {
                        continue;
                    }
                    for (int i = 0; i < j; i++) {
                        if (shadows(routes.get(i).match(), routes.get(j).match())) {
                            ConfigNode earlier = routeNodes.get(routes.get(i));
                            node.warn("this route can never match: routes[" + i + "]" + (earlier == null ? ""
                                    : " (line " + earlier.line() + ")") + " before it matches every request it would"
                                    + " (first match wins)");
                            break;
                        }
                    }
                    hashPolicyUnused(routes.get(j), node, byName);
                }
            }
        }
    }

    /**
     * Whether every request {@code later} matches is matched by {@code earlier}: the earlier route has no header or
     * query conditions and its path condition covers the later one's.
     */
    static boolean shadows(RouteMatch earlier, RouteMatch later) {
        if (!earlier.headers().isEmpty() || !earlier.queryParameters().isEmpty()) {
            return false;
        }
        if (earlier.pathKind() == RouteMatch.PathKind.CONNECT) {
            return later.pathKind() == RouteMatch.PathKind.CONNECT;
        }
        // a case-insensitive later route matches paths in any case; a case-sensitive earlier one does not cover that
        if (!later.caseSensitive() && earlier.caseSensitive()) {
            return false;
        }
        String laterPath = earlier.caseSensitive() ? later.path() : later.path().toLowerCase(java.util.Locale.ROOT);
        return switch (earlier.pathKind()) {
            case PREFIX -> (later.pathKind() == RouteMatch.PathKind.PREFIX || later.pathKind() == RouteMatch.PathKind.PATH)
                    && laterPath.startsWith(earlier.path());
            case PATH -> later.pathKind() == RouteMatch.PathKind.PATH && laterPath.equals(earlier.path());
            default -> false;
        };
    }

    private static void hashPolicyUnused(RouteConfig route, ConfigNode node, Map<String, ClusterConfig> clusters) {
        if (!(route.action() instanceof RouteAction a) || a.hashPolicy().isEmpty()) {
            return;
        }
        for (String name : a.clusterNames()) {
            ClusterConfig c = clusters.get(name);
            if (c == null || c.isAggregate() || c.lbPolicy() == ClusterConfig.LbPolicy.RING_HASH || c.lbPolicy() == ClusterConfig.LbPolicy.MAGLEV) {
                return;
            }
        }
        node.warn("hash_policy has no effect: cluster " + String.join(", ", a.clusterNames()) + " uses lb_policy "
                + clusters.get(a.clusterNames().get(0)).lbPolicy().yamlName() + " (hashing needs ring_hash or maglev)");
    }

    private static void ringSize(ClusterConfig c, ConfigNode node) {
        if (c.lbPolicy() != ClusterConfig.LbPolicy.RING_HASH || c.endpoints().isEmpty()) {
            return;
        }
        long total = 0;
        int lightest = Integer.MAX_VALUE;
        for (EndpointConfig e : c.endpoints()) {
            total += e.weight();
            lightest = Math.min(lightest, e.weight());
        }
        long entries = c.ringHash().entriesPerWeight(total) * lightest;
        if (entries < MIN_ENTRIES_PER_HOST) {
            long needed = (MIN_ENTRIES_PER_HOST + lightest - 1) / lightest;
            RingHashConfig r = c.ringHash();
            String fix = r.hashesPerHost() < needed ? "raise ring_hash.hashes_per_host to " + needed
                    + (needed * total > r.maximumRingSize() ? " and maximum_ring_size to " + needed * total : "")
                    : "raise ring_hash.maximum_ring_size to " + needed * total;
            node.warn(String.format(java.util.Locale.ROOT, "ring too small for its hosts' weights: the lightest host "
                    + "gets %d ring entries, so its share of keys can be off by about %.0f%% (%s)", entries,
                    100 / Math.sqrt(entries), fix));
        }
    }
}
