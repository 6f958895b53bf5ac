package io.outrigger.config;

import java.time.Duration;

/**
 * Envoy's {@code slow_start_config} (in {@code round_robin_lb_config} or {@code least_request_lb_config}): a host that
 * comes back healthy (active health check or outlier ejection ending) gets a weight that grows over the window, so a
 * cold JVM, an empty cache or a restarted database pool is not handed its full share at once.
 *
 * <p>Effective weight = {@code weight × max(min_weight_percent / 100, (t / window)^(1 / aggression))}, t the time since
 * the host became healthy (Envoy's formula, {@code source/common/upstream/load_balancer_impl.cc}).
 *
 * @param window           {@code slow_start_window}: how long the ramp lasts
 * @param aggression       {@code aggression}: 1.0 (default) is linear; above 1 the weight rises faster early
 * @param minWeightPercent {@code min_weight_percent}: the floor, percent of the weight; default 10
 */
public record SlowStartConfig(Duration window, double aggression, double minWeightPercent) {
    public SlowStartConfig {
        if (window.isNegative() || window.isZero() || aggression <= 0 || minWeightPercent < 0 || minWeightPercent > 100) {
            throw new IllegalArgumentException("slow_start_config: window > 0, aggression > 0, min_weight_percent 0..100");
        }
    }
}
