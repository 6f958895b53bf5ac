package io.outrigger.config;

/**
 * One of a route's {@code request_mirror_policies} (Envoy's): a copy of a share of the route's requests goes to
 * another cluster, fire and forget — its response and failures never reach the caller or delay it.
 *
 * @param cluster            the mirror cluster; must exist
 * @param fractionPerMillion {@code runtime_fraction.default_value} as parts per million (Envoy's
 *                           {@code numerator}/{@code denominator}: HUNDRED, TEN_THOUSAND, MILLION); default all
 * @param keepHost           {@code disable_shadow_host_suffix_append}: keep the {@code Host} as is instead of appending
 *                           {@code -shadow} (Envoy's default appends)
 */
public record RequestMirrorPolicy(String cluster, int fractionPerMillion, boolean keepHost) {
    public static final int MILLION = 1_000_000;

    public RequestMirrorPolicy {
        if (fractionPerMillion < 0 || fractionPerMillion > MILLION) {
            throw new IllegalArgumentException("fraction: " + fractionPerMillion + " (expected: 0.." + MILLION + ")");
        }
    }
}
