package io.outrigger.config;

/**
 * One entry of a route's {@code weighted_clusters.clusters}.
 *
 * @param name   the cluster; must exist
 * @param weight its share, relative to the entries' total; 0 sends it nothing
 */
public record WeightedCluster(String name, int weight) {
    public WeightedCluster {
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
        }
    }
}
