package io.outrigger.config;

/**
 * A cluster's load-balancer settings beyond {@code lb_policy} (Envoy's names).
 *
 * @param hashBalanceFactor {@code hash_balance_factor}: for {@code ring_hash} and {@code maglev}, consistent hashing
 *                          with bounded loads (Mirrokni, Thorup, Zadimoghaddam, SODA 2018): a host with at least
 *                          ⌈factor/100 × (in-flight requests + 1) × its share of the weight⌉ requests in flight is
 *                          passed over for the key's next host. Percent, at least 100; 0 (the default): off
 * @param choiceCount       {@code least_request_lb_config.choice_count}: hosts drawn per pick (power of d choices);
 *                          default 2, at least 2
 * @param activeRequestBias {@code least_request_lb_config.active_request_bias}: with unequal weights a drawn host
 *                          scores {@code weight / (active + 1)^bias}; default 1.0; 0 makes it weighted random
 * @param slowStart         {@code slow_start_config} for {@code round_robin} and {@code least_request}, or {@code null}
 * @param overprovisioningFactor {@code overprovisioning_factor} (Envoy's, percent, default {@value #DEFAULT_OVERPROVISIONING}):
 *                          a priority level counts as fully available while healthy hosts × factor ≥ 100 % of its
 *                          hosts, so with 140 traffic starts to spill to the next level below 72 % healthy
 */
public record LoadBalancingConfig(int hashBalanceFactor, int choiceCount, double activeRequestBias,
                                  SlowStartConfig slowStart, int overprovisioningFactor) {
    public static final int DEFAULT_OVERPROVISIONING = 140;
    public static final LoadBalancingConfig DEFAULT = new LoadBalancingConfig(0, 2, 1.0);

    /** Without slow start, Envoy's overprovisioning factor. */
    public LoadBalancingConfig(int hashBalanceFactor, int choiceCount, double activeRequestBias) {
        this(hashBalanceFactor, choiceCount, activeRequestBias, null);
    }

    /** Envoy's overprovisioning factor. */
    public LoadBalancingConfig(int hashBalanceFactor, int choiceCount, double activeRequestBias, SlowStartConfig slowStart) {
        this(hashBalanceFactor, choiceCount, activeRequestBias, slowStart, DEFAULT_OVERPROVISIONING);
    }
}
