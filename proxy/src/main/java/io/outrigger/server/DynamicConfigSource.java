package io.outrigger.server;

import java.util.Map;

/** A control plane feeding the server (xDS): readiness waits for its first complete set; the admin shows its state. */
public interface DynamicConfigSource {
    /** Whether the first complete set of resources was applied (or the initial fetch timeout passed). */
    boolean initialized();

    /** Its state for {@code /config_dump}: per resource type the version and resource names, what waits, the stream. */
    Map<String, Object> status();
}
