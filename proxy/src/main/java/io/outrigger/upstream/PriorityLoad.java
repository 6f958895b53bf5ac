package io.outrigger.upstream;

import java.util.Arrays;

/**
 * How traffic splits over a cluster's priority levels, Envoy's algorithm
 * (<a href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority">priority
 * levels</a>, <a href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold">panic
 * threshold</a>): a level's health is min(100, overprovisioning × healthy / total); the normalized total health is
 * min(100, Σ health); level 0 takes min(100, health₀ × 100 / total health) percent, each next level the same share of
 * what is left. While the normalized total health is below 100, a level less than half healthy is in panic: its
 * traffic goes to all its hosts. With no healthy host anywhere, level 0 takes everything, in panic.
 *
 * @param loads percent of traffic per level, summing to 100
 * @param panic per level, whether its traffic goes to all its hosts regardless of health
 */
public record PriorityLoad(int[] loads, boolean[] panic) {
    /** Envoy's panic threshold: 50 % healthy. */
    static final double PANIC_THRESHOLD = 0.5;

    /**
     * @param healthy          healthy hosts per level (level 0 first)
     * @param total            hosts per level
     * @param overprovisioning percent, e.g. 140
     */
    public static PriorityLoad compute(int[] healthy, int[] total, int overprovisioning) {
        int n = total.length;
        int[] health = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            health[i] = total[i] == 0 ? 0 : (int) Math.min(100, (long) overprovisioning * healthy[i] / total[i]);
            sum += health[i];
        }
        int normalized = Math.min(100, sum);
        int[] loads = new int[n];
        boolean[] panic = new boolean[n];
        if (normalized == 0) {
            loads[0] = 100;
            panic[0] = true;
            return new PriorityLoad(loads, panic);
        }
        int left = 100;
        for (int i = 0; i < n; i++) {
            loads[i] = Math.min(left, health[i] * 100 / normalized);
            left -= loads[i];
        }
        // integer rounding leaves at most a few percent: give it to the first level with traffic, as Envoy does
        for (int i = 0; i < n && left > 0; i++) {
            if (health[i] > 0) {
                loads[i] += left;
                left = 0;
            }
        }
        for (int i = 0; i < n; i++) {
            panic[i] = normalized < 100 && total[i] > 0 && healthy[i] < total[i] * PANIC_THRESHOLD;
        }
        return new PriorityLoad(loads, panic);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PriorityLoad p && Arrays.equals(loads, p.loads) && Arrays.equals(panic, p.panic);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(loads) + Arrays.hashCode(panic);
    }

    @Override
    public String toString() {
        return "PriorityLoad" + Arrays.toString(loads) + (panicAny() ? " panic " + Arrays.toString(panic) : "");
    }

    private boolean panicAny() {
        for (boolean p : panic) {
            if (p) {
                return true;
            }
        }
        return false;
    }
}
