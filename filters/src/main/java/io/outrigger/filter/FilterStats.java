package io.outrigger.filter;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of HTTP filters, by their Envoy-style names ({@code http_local_rate_limiter.http_local_rate_limit.rate_limited}):
 * a filter asks for its counters once, when its config is read, and increments them per stream without a lock. The
 * admin's {@code /stats} and {@code /stats/prometheus} list them all. Counters live for the process: a reload that
 * keeps a name keeps counting into it, as Envoy's stats survive a config update.
 */
public final class FilterStats {
    private static final Map<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();

    private FilterStats() {
    }

    /** The counter named {@code name}, created at 0 on first use. */
    public static LongAdder counter(String name) {
        return COUNTERS.computeIfAbsent(name, k -> new LongAdder());
    }

    /** Every counter by name, sorted. */
    public static Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        COUNTERS.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
