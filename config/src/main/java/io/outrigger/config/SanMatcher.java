package io.outrigger.config;

/**
 * A subject-alternative-name condition of client-certificate validation ({@code match_subject_alt_names[]},
 * Envoy's {@code StringMatcher} subset): exactly one of {@code exact} and {@code prefix}.
 *
 * @param exact  the whole SAN value, or {@code null}
 * @param prefix a prefix of the SAN value, e.g. {@code spiffe://shop/}, or {@code null}
 */
public record SanMatcher(String exact, String prefix) {
    public SanMatcher {
        if ((exact == null) == (prefix == null)) {
            throw new IllegalArgumentException("exactly one of exact and prefix (expected: one)");
        }
    }

    /** Whether a SAN value (a DNS name, URI, e-mail or IP as text) satisfies this condition. */
    public boolean matches(String san) {
        return exact != null ? exact.equals(san) : san.startsWith(prefix);
    }
}
