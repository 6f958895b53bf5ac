package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws a host at random in proportion to its weight: cumulative weights and a binary search, O(log n) per draw,
 * no allocation. Immutable: shared by all workers of a cluster's host set.
 */
final class WeightedDraw {
    private final Host[] hosts;
    private final long[] cumulative; // cumulative[i] = weights of hosts[0..i]
    private final boolean equalWeights;

    WeightedDraw(List<Host> hosts) {
        this.hosts = hosts.toArray(new Host[0]);
        this.cumulative = new long[this.hosts.length];
        long sum = 0;
        boolean equal = true;
        for (int i = 0; i < this.hosts.length; i++) {
            sum += this.hosts[i].weight();
            cumulative[i] = sum;
            equal &= this.hosts[i].weight() == this.hosts[0].weight();
        }
        this.equalWeights = equal;
    }

    int size() {
        return hosts.length;
    }

    boolean equalWeights() {
        return equalWeights;
    }

    /** @return a host, each with probability weight / total weight; {@code null} when there is none */
    Host draw(RandomGenerator random) {
        int n = hosts.length;
        if (n == 0) {
            return null;
        }
        if (equalWeights) {
            return hosts[random.nextInt(n)];
        }
        long r = random.nextLong(cumulative[n - 1]);
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) { // first i with cumulative[i] > r
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hosts[lo];
    }
}
