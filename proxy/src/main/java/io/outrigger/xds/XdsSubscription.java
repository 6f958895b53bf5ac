package io.outrigger.xds;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One resource type's subscription on the ADS stream; the xDS thread's only. */
final class XdsSubscription {
    final String typeUrl;
    /** LDS and CDS: every resource the control plane has for this node. */
    final boolean wildcard;
    /** The resource names asked for (not for a wildcard). */
    Set<String> names = new TreeSet<>();
    /** Delta: the names the control plane was last told about on this stream. */
    Set<String> sentNames = new TreeSet<>();
    /** Delta: whether this stream has sent its first request for the type. */
    boolean started;
    /** The version in force ({@code version_info} / {@code system_version_info}); {@code ""} before the first. */
    String version = "";
    /** Delta: each resource's version in force, for {@code initial_resource_versions} on a new stream. */
    final Map<String, String> resourceVersions = new HashMap<>();
    /** An immutable copy of {@link #resourceVersions} for other threads (the admin), replaced after each update. */
    volatile Map<String, String> versionsView = Map.of();
    String nonce = "";
    boolean received;
    long accepted;
    long rejected;
    String lastError;
    /** The last rejected response's version and content hash, and how many times in a row it came back. */
    String rejectedFingerprint;
    int repeatedRejections;

    XdsSubscription(String typeUrl, boolean wildcard) {
        this.typeUrl = typeUrl;
        this.wildcard = wildcard;
    }

    boolean active() {
        return wildcard || !names.isEmpty();
    }
}
