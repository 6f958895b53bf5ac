package io.outrigger.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * ADS, state of the world ({@code StreamAggregatedResources}): every request carries the type's resource names, the
 * version in force and the nonce it answers; every response carries the type's whole set.
 */
final class SotwStream implements AdsStream {
    private final StreamObserver<DiscoveryRequest> requests;
    private final Node node;
    private final boolean nodeOnce;
    private boolean nodeSent;

    /**
     * @param onUpdate called on gRPC's thread for each response (the caller hops to its own)
     * @param onEnd    called on gRPC's thread when the stream ends, with why
     */
    SotwStream(ManagedChannel channel, Node node, boolean nodeOnce, Consumer<Update> onUpdate, Consumer<String> onEnd) {
        this.node = node;
        this.nodeOnce = nodeOnce;
        this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(
                XdsTypes.responses(SotwStream::update, onUpdate, onEnd));
    }

    private static Update update(DiscoveryResponse r) {
        Map<String, Message> decoded = new LinkedHashMap<>();
        String error = null;
        try {
            for (Any any : r.getResourcesList()) {
                Message m = XdsTypes.unpack(r.getTypeUrl(), any);
                decoded.put(XdsTypes.name(m), m);
            }
        } catch (InvalidProtocolBufferException e) {
            error = XdsTypes.shortName(r.getTypeUrl()) + ": undecodable resource: " + e.getMessage();
        }
        return new Update(r.getTypeUrl(), decoded, Set.of(), true, r.getVersionInfo(), r.getNonce(), Map.of(), error);
    }

    @Override
    public void subscribe(XdsSubscription s) {
        send(s, s.version, s.nonce, null);
    }

    @Override
    public void ack(XdsSubscription s, String nonce) {
        send(s, s.version, nonce, null);
    }

    @Override
    public void nack(XdsSubscription s, String nonce, String error) {
        send(s, s.version, nonce, error);
    }

    private void send(XdsSubscription s, String version, String nonce, String error) {
        s.nonce = nonce;
        DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder().setTypeUrl(s.typeUrl).setVersionInfo(version)
                .setResponseNonce(nonce).addAllResourceNames(s.names);
        if (!nodeSent || !nodeOnce) {
            b.setNode(node);
            nodeSent = true;
        }
        if (error != null) {
            b.setErrorDetail(XdsTypes.errorDetail(error));
        }
        XdsTypes.sendQuietly(requests, b.build());
    }

    @Override
    public void close() {
        XdsTypes.closeQuietly(requests);
    }
}
