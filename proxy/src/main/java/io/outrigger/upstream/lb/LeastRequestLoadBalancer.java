package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.random.RandomGenerator;

/**
 * Envoy's {@code least_request}: draw {@code choice_count} hosts at random (in proportion to their weights) and take
 * the least loaded — "the power of two choices" (Mitzenmacher, "The Power of Two Choices in Randomized Load
 * Balancing", IEEE TPDS 2001): the most loaded host's excess drops from O(log n / log log n) to O(log log n).
 * Load is a host's attempts in flight across all workers (a lock-free LongAdder sum). With equal weights the host
 * with fewer requests in flight wins; with unequal weights a host scores {@code weight / (active + 1)^bias} and the
 * highest score wins ({@code active_request_bias}, Envoy's: 0 ignores load, 1 is proportional). Ties go to the first
 * drawn. Hosts the context wants avoided lose to any other. While a host is in its slow-start window, hosts are drawn
 * by effective weight ({@link SlowStartWeights}) and scored as usual, so an idle cluster gives a ramping host its
 * effective-weight share (scoring by effective weight too would starve it: the heavier of two idle hosts always
 * wins). Confined to one worker.
 */
final class LeastRequestLoadBalancer implements LoadBalancer {
    private final WeightedDraw hosts;
    private final RandomGenerator random;
    private final int choiceCount;
    private final double bias;
    private final SlowStartWeights slowStart; // null without slow_start_config

    LeastRequestLoadBalancer(WeightedDraw hosts, RandomGenerator random, int choiceCount, double bias) {
        this(hosts, random, choiceCount, bias, null);
    }

    /** @param slowStart effective weights while a host ramps up (draws and scores use them), or {@code null} */
    LeastRequestLoadBalancer(WeightedDraw hosts, RandomGenerator random, int choiceCount, double bias,
                             SlowStartWeights slowStart) {
        this.hosts = hosts;
        this.random = random;
        this.choiceCount = choiceCount;
        this.bias = bias;
        this.slowStart = slowStart;
    }

    @Override
    public Host chooseHost(LoadBalancerContext context) {
        boolean ramping = slowStart != null && slowStart.active();
        Host best = null;
        boolean bestAvoided = true;
        double bestScore = 0;
        // choice_count draws; more (a few) while every host drawn is one the context wants avoided
        for (int i = 0; i < choiceCount || bestAvoided && i < choiceCount + RandomLoadBalancer.MAX_REDRAWS; i++) {
            Host h = ramping ? slowStart.draw(random) : hosts.draw(random);
            if (h == null) {
                return null;
            }
            boolean avoided = context.shouldSelectAnotherHost(h);
            double score = score(h);
            if (best == null || bestAvoided && !avoided || avoided == bestAvoided && score > bestScore) {
                best = h;
                bestAvoided = avoided;
                bestScore = score;
            }
        }
        return best;
    }

    /** Higher is better: fewer requests in flight, or more weight per request in flight. */
    private double score(Host h) {
        long active = h.activeRequests();
        if (hosts.equalWeights()) {
            return -active;
        }
        return bias == 1.0 ? h.weight() / (double) (active + 1) : h.weight() / Math.pow(active + 1, bias);
    }
}
