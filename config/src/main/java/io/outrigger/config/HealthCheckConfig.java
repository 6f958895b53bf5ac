package io.outrigger.config;

import java.time.Duration;
import java.util.Set;

/**
 * A cluster's active HTTP {@code health_check}.
 *
 * @param path               GET path on each host
 * @param host               the {@code Host} header sent; default: the cluster name
 * @param interval           time between checks of a host; default 5s
 * @param intervalJitter     up to this much is added to each interval at random; default 10% of interval
 * @param timeout            a check not answered within this fails; default 1s
 * @param unhealthyThreshold failed checks in a row that take a host out; default 3
 * @param healthyThreshold   passed checks in a row that bring it back; default 2
 * @param expectedStatuses   statuses that pass; default {@code [200]}
 */
public record HealthCheckConfig(String path, String host, Duration interval, Duration intervalJitter, Duration timeout,
                                int unhealthyThreshold, int healthyThreshold, Set<Integer> expectedStatuses) {
    public HealthCheckConfig {
        expectedStatuses = Set.copyOf(expectedStatuses);
    }
}
