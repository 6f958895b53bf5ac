package io.outrigger.config;

import java.time.Duration;
import java.util.Set;

/**
 * A route's {@code retry_policy} (Envoy's names and semantics).
 *
 * @param retryOn               conditions, by Envoy name: {@code 5xx}, {@code gateway-error}, {@code reset},
 *                              {@code reset-before-request}, {@code connect-failure}, {@code refused-stream},
 *                              {@code retriable-4xx}, {@code retriable-status-codes}; and for trailers-only gRPC
 *                              responses {@code cancelled}, {@code deadline-exceeded}, {@code internal},
 *                              {@code resource-exhausted}, {@code unavailable}
 * @param numRetries            retries after the first attempt; default 1
 * @param perTryTimeout         time allowed for each attempt's response headers; {@code ZERO}: only the route timeout
 * @param baseInterval          back-off base; default 25ms
 * @param maxInterval           back-off cap; default 10 × base
 * @param retriableStatusCodes  statuses retried with {@code retriable-status-codes}
 * @param previousHosts         {@code retry_host_predicate: previous_hosts} (default on): a retry avoids hosts
 *                              already tried when another host exists
 * @param bufferLimitBytes      request bytes kept for replay ({@code per_request_buffer_limit_bytes}, default
 *                              64 KiB); a larger body is streamed and not retried
 * @param retryRetriedRequests  whether a request that already carries {@code x-outrigger-attempt-count} (it was
 *                              sent by another Outrigger that retries) may be retried here; default false
 */
public record RetryPolicy(Set<String> retryOn, int numRetries, Duration perTryTimeout, Duration baseInterval,
                          Duration maxInterval, Set<Integer> retriableStatusCodes, boolean previousHosts,
                          long bufferLimitBytes, boolean retryRetriedRequests) {
    public static final Set<String> CONDITIONS = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "refused-stream", "retriable-4xx", "retriable-status-codes",
            "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");
    public static final Duration DEFAULT_BASE_INTERVAL = Duration.ofMillis(25);
    public static final long DEFAULT_BUFFER_LIMIT = 64 * 1024;

    public RetryPolicy {
        retryOn = Set.copyOf(retryOn);
        retriableStatusCodes = Set.copyOf(retriableStatusCodes);
        if (numRetries < 0 || baseInterval.isNegative() || maxInterval.compareTo(baseInterval) < 0) {
            throw new IllegalArgumentException("retry_policy: invalid (num_retries >= 0, max_interval >= base_interval)");
        }
    }
}
