package io.outrigger.xds;

/** The xDS v3 resource type URLs Outrigger subscribes to. */
final class XdsTypes {
    private static final String PREFIX = "type.googleapis.com/";
    static final String LDS = PREFIX + "envoy.config.listener.v3.Listener";
    static final String RDS = PREFIX + "envoy.config.route.v3.RouteConfiguration";
    static final String CDS = PREFIX + "envoy.config.cluster.v3.Cluster";
    static final String EDS = PREFIX + "envoy.config.endpoint.v3.ClusterLoadAssignment";
    static final String SDS = PREFIX + "envoy.extensions.transport_sockets.tls.v3.Secret";

    private XdsTypes() {
    }

    /** {@code LDS}, {@code RDS}, {@code CDS}, {@code EDS} for logs and stats. */
    static String shortName(String typeUrl) {
        return switch (typeUrl) {
            case LDS -> "LDS";
            case RDS -> "RDS";
            case CDS -> "CDS";
            case EDS -> "EDS";
            case SDS -> "SDS";
            default -> typeUrl;
        };
    }
}
