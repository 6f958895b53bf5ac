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

    /** A resource of {@code typeUrl} out of its {@code Any}. */
    static com.google.protobuf.Message unpack(String typeUrl, com.google.protobuf.Any any)
            throws com.google.protobuf.InvalidProtocolBufferException {
        return switch (typeUrl) {
            case CDS -> any.unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class);
            case EDS -> any.unpack(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.class);
            case LDS -> any.unpack(io.envoyproxy.envoy.config.listener.v3.Listener.class);
            case RDS -> any.unpack(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class);
            case SDS -> any.unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class);
            default -> throw new com.google.protobuf.InvalidProtocolBufferException("unknown type " + typeUrl);
        };
    }

    /** A resource's name. */
    static String name(com.google.protobuf.Message m) {
        if (m instanceof io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
            return c.getName();
        }
        if (m instanceof io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment a) {
            return a.getClusterName();
        }
        if (m instanceof io.envoyproxy.envoy.config.listener.v3.Listener l) {
            return l.getName();
        }
        if (m instanceof io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret secret) {
            return secret.getName();
        }
        return ((io.envoyproxy.envoy.config.route.v3.RouteConfiguration) m).getName();
    }

    /** A NACK's {@code error_detail}: gRPC's INVALID_ARGUMENT with the reason. */
    static com.google.rpc.Status errorDetail(String error) {
        return com.google.rpc.Status.newBuilder().setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value()).setMessage(error).build();
    }

    /** Sends on a stream that may be breaking (its end is reported separately). */
    static <T> void sendQuietly(io.grpc.stub.StreamObserver<T> stream, T request) {
        try {
            stream.onNext(request);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(XdsTypes.class).debug("xds: request not sent ({})", e.toString());
        }
    }

    static void closeQuietly(io.grpc.stub.StreamObserver<?> stream) {
        try {
            stream.onCompleted();
        } catch (RuntimeException ignored) {
            // already broken
        }
    }

    /**
     * The observer of a stream's responses: each converted and handed on, the stream's end reported with why.
     * Called on gRPC's threads (the consumers hop to the xDS thread).
     */
    static <R> io.grpc.stub.StreamObserver<R> responses(java.util.function.Function<R, AdsStream.Update> convert,
            java.util.function.Consumer<AdsStream.Update> onUpdate, java.util.function.Consumer<String> onEnd) {
        return new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(R response) {
                onUpdate.accept(convert.apply(response));
            }

            @Override
            public void onError(Throwable t) {
                onEnd.accept(t.toString());
            }

            @Override
            public void onCompleted() {
                onEnd.accept("closed by the control plane");
            }
        };
    }
}
