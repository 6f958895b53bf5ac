package io.outrigger.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * ADS, incremental ({@code DeltaAggregatedResources}): requests subscribe and unsubscribe names (a wildcard type's
 * first request names none) and, first on a stream, give the versions in force ({@code initial_resource_versions});
 * responses carry only what changed and what was removed; an ACK is the nonce alone.
 */
final class DeltaStream implements AdsStream {
    private final StreamObserver<DeltaDiscoveryRequest> requests;
    private final Node node;
    private final boolean nodeOnce;
    private boolean nodeSent;

    DeltaStream(ManagedChannel channel, Node node, boolean nodeOnce, Consumer<Update> onUpdate, Consumer<String> onEnd) {
        this.node = node;
        this.nodeOnce = nodeOnce;
        this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(
                XdsTypes.responses(DeltaStream::update, onUpdate, onEnd));
    }

    private static Update update(DeltaDiscoveryResponse r) {
        Map<String, Message> decoded = new LinkedHashMap<>();
        Map<String, String> versions = new LinkedHashMap<>();
        String error = null;
        try {
            for (Resource res : r.getResourcesList()) {
                Message m = XdsTypes.unpack(r.getTypeUrl(), res.getResource());
                decoded.put(res.getName().isEmpty() ? XdsTypes.name(m) : res.getName(), m);
                versions.put(res.getName().isEmpty() ? XdsTypes.name(m) : res.getName(), res.getVersion());
            }
        } catch (InvalidProtocolBufferException e) {
            error = XdsTypes.shortName(r.getTypeUrl()) + ": undecodable resource: " + e.getMessage();
        }
        return new Update(r.getTypeUrl(), decoded, Set.copyOf(r.getRemovedResourcesList()), false,
                r.getSystemVersionInfo(), r.getNonce(), versions, error);
    }

    @Override
    public void subscribe(XdsSubscription s) {
        DeltaDiscoveryRequest.Builder b = request(s);
        if (!s.started) {
            b.putAllInitialResourceVersions(s.resourceVersions); // a new stream: what is in force already
            s.started = true;
        }
        if (!s.wildcard) {
            Set<String> add = new TreeSet<>(s.names);
            add.removeAll(s.sentNames);
            Set<String> remove = new TreeSet<>(s.sentNames);
            remove.removeAll(s.names);
            b.addAllResourceNamesSubscribe(add).addAllResourceNamesUnsubscribe(remove);
            s.sentNames = new TreeSet<>(s.names);
        }
        XdsTypes.sendQuietly(requests, b.build());
    }

    @Override
    public void ack(XdsSubscription s, String nonce) {
        s.nonce = nonce;
        XdsTypes.sendQuietly(requests, request(s).setResponseNonce(nonce).build());
    }

    @Override
    public void nack(XdsSubscription s, String nonce, String error) {
        s.nonce = nonce;
        XdsTypes.sendQuietly(requests, request(s).setResponseNonce(nonce).setErrorDetail(XdsTypes.errorDetail(error)).build());
    }

    private DeltaDiscoveryRequest.Builder request(XdsSubscription s) {
        DeltaDiscoveryRequest.Builder b = DeltaDiscoveryRequest.newBuilder().setTypeUrl(s.typeUrl);
        if (!nodeSent || !nodeOnce) {
            b.setNode(node);
            nodeSent = true;
        }
        return b;
    }

    @Override
    public void close() {
        XdsTypes.closeQuietly(requests);
    }
}
