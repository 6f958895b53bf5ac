package io.outrigger.xds;

import com.google.protobuf.Message;
import java.util.Map;
import java.util.Set;

/**
 * One ADS stream to the control plane, in one of the protocol's two variants: state of the world ({@link SotwStream})
 * or incremental ({@link DeltaStream}). Called on the xDS thread only; responses come back as {@link Update}s.
 */
interface AdsStream {
    /**
     * A response, protocol-neutral.
     *
     * @param typeUrl          the resource type
     * @param resources        resources added or changed (state of the world: all of them), by name
     * @param removed          names removed (delta only)
     * @param stateOfTheWorld  whether {@code resources} replaces the whole set
     * @param version          {@code version_info} / {@code system_version_info}
     * @param nonce            to ACK or NACK it with
     * @param resourceVersions delta: each resource's version
     * @param decodeError      a resource that could not be decoded (the update is NACKed), or {@code null}
     */
    record Update(String typeUrl, Map<String, Message> resources, Set<String> removed, boolean stateOfTheWorld,
                  String version, String nonce, Map<String, String> resourceVersions, String decodeError) {
    }

    /** Tells the control plane what the subscription wants now (first request, new names, a new stream). */
    void subscribe(XdsSubscription s);

    /** Accepts a response: the subscription's version is the new one. */
    void ack(XdsSubscription s, String nonce);

    /** Rejects a response: the subscription's version is still the one in force. */
    void nack(XdsSubscription s, String nonce, String error);

    /** Ends the stream (its channel stays the client's). */
    void close();
}
