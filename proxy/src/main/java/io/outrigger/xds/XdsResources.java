package io.outrigger.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Map;
import java.util.TreeMap;

/**
 * The xDS resources in force (immutable): per type, the resources by name and the version they came with. An update
 * makes a new instance; the old one stays in force until the new one is applied.
 *
 * @param versions the {@code version_info} per type URL ({@code ""} before the first)
 */
public record XdsResources(Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints,
                           Map<String, Listener> listeners, Map<String, RouteConfiguration> routes,
                           Map<String, Secret> secrets, Map<String, String> versions) {
    /** Nothing received yet. */
    public static final XdsResources EMPTY = new XdsResources(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public XdsResources {
        clusters = Map.copyOf(clusters);
        endpoints = Map.copyOf(endpoints);
        listeners = Map.copyOf(listeners);
        routes = Map.copyOf(routes);
        secrets = Map.copyOf(secrets);
        versions = Map.copyOf(versions);
    }

    /** These resources with one type's set replaced (state of the world) at {@code version}. */
    @SuppressWarnings("unchecked")
    XdsResources with(String typeUrl, Map<String, ? extends Message> resources, String version) {
        Map<String, String> v = new TreeMap<>(versions);
        v.put(typeUrl, version);
        return switch (typeUrl) {
            case XdsTypes.CDS -> new XdsResources((Map<String, Cluster>) resources, endpoints, listeners, routes, secrets, v);
            case XdsTypes.EDS -> new XdsResources(clusters, (Map<String, ClusterLoadAssignment>) resources, listeners, routes,
                    secrets, v);
            case XdsTypes.LDS -> new XdsResources(clusters, endpoints, (Map<String, Listener>) resources, routes, secrets, v);
            case XdsTypes.RDS -> new XdsResources(clusters, endpoints, listeners, (Map<String, RouteConfiguration>) resources,
                    secrets, v);
            case XdsTypes.SDS -> new XdsResources(clusters, endpoints, listeners, routes, (Map<String, Secret>) resources, v);
            default -> throw new IllegalArgumentException(typeUrl);
        };
    }

    /** The resources of one type. */
    Map<String, ? extends Message> of(String typeUrl) {
        return switch (typeUrl) {
            case XdsTypes.CDS -> clusters;
            case XdsTypes.EDS -> endpoints;
            case XdsTypes.LDS -> listeners;
            case XdsTypes.RDS -> routes;
            case XdsTypes.SDS -> secrets;
            default -> Map.of();
        };
    }
}
