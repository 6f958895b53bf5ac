package io.outrigger.filter.fault;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One {@code fault} configuration (Envoy's {@code HTTPFault}) — the listener's, or a route's or virtual host's.
 *
 * @param delay           {@code delay}, or {@code null}
 * @param abort           {@code abort}, or {@code null}
 * @param maxActiveFaults {@code max_active_faults}: faults in progress at once across the process (0: unlimited); more
 *                        are not injected and count as {@code fault.faults_overflow}
 * @param active          faults in progress (shared by every stream of this config)
 * @param stats           Envoy's counters
 */
public record FaultConfig(Delay delay, Abort abort, int maxActiveFaults, AtomicInteger active, Stats stats) {
    /**
     * @param fixed          {@code fixed_delay}, or {@code null} with {@code header_delay}
     * @param fromHeader     {@code header_delay: {}}: the request's {@code x-outrigger-fault-delay-request} (ms) decides
     * @param perMillion     {@code percentage} as parts per million
     */
    public record Delay(Duration fixed, boolean fromHeader, int perMillion) {
    }

    /**
     * @param httpStatus     {@code http_status} (0 with {@code grpc_status} or {@code header_abort})
     * @param grpcStatus     {@code grpc_status} (-1 when not set)
     * @param fromHeader     {@code header_abort: {}}: {@code x-outrigger-fault-abort-request} (an HTTP status) or
     *                       {@code x-outrigger-fault-abort-grpc-request} decides
     * @param perMillion     {@code percentage} as parts per million
     */
    public record Abort(int httpStatus, int grpcStatus, boolean fromHeader, int perMillion) {
    }

    /** {@code fault.delays_injected}, {@code fault.aborts_injected}, {@code fault.faults_overflow}. */
    public record Stats(LongAdder delays, LongAdder aborts, LongAdder overflow) {
    }
}
