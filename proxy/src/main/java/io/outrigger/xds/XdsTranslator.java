package io.outrigger.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;

/**
 * Envoy v3 resources into Outrigger's config tree (the YAML contract's maps and lists), which the ordinary config
 * reader then validates. Reshapes only where Outrigger's YAML differs from Envoy's (addresses, the HTTP connection
 * manager's nesting, {@code load_assignment}, {@code typed_config} wrappers, enum spellings); every other set field is
 * carried under its Envoy name, so a field Outrigger does not support fails validation by name — the NACK's detail.
 * Stateless.
 */
final class XdsTranslator {
    private XdsTranslator() {
    }

    /** What a resource needs that has not arrived yet (its RDS or EDS resource): it waits, as Envoy's warming does. */
    record Missing(String typeUrl, String name) {
    }

    /** A cluster's tree, or what it waits for. */
    record Translated(Map<String, Object> tree, Missing missing) {
    }

    /** See {@link ClusterTranslator#cluster(Cluster, Map)}. */
    static Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments) throws XdsException {
        return ClusterTranslator.cluster(c, assignments);
    }

    static Translated cluster(Cluster c, Map<String, ClusterLoadAssignment> assignments,
                              Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets,
                              SecretFiles files) throws XdsException {
        return ClusterTranslator.cluster(c, assignments, secrets, files);
    }

    static List<Object> endpoints(Map<String, Object> cla) throws XdsException {
        return ClusterTranslator.endpoints(cla);
    }

    static Translated listener(Listener l, Map<String, RouteConfiguration> routes) throws XdsException {
        return ListenerTranslator.listener(l, routes);
    }

    static Translated listener(Listener l, Map<String, RouteConfiguration> routes,
                               Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets,
                               SecretFiles files) throws XdsException {
        return ListenerTranslator.listener(l, routes, secrets, files);
    }

    static String rdsName(Listener l) {
        return ListenerTranslator.rdsName(l);
    }

    static List<String> sdsNames(Listener l) {
        return TlsTranslator.sdsNames(l);
    }

    static List<String> sdsNames(Cluster c) {
        return TlsTranslator.sdsNames(c);
    }
}
