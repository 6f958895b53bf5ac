package io.outrigger.config;

import com.google.re2j.Pattern;
import java.util.Locale;

/**
 * A string condition (Envoy's {@code type.matcher.v3.StringMatcher}): one of {@code exact}, {@code prefix},
 * {@code suffix}, {@code contains}, {@code safe_regex}, with {@code ignore_case} for all but the regex.
 *
 * @param kind       how {@code value} is compared
 * @param value      the value to compare with (lower-cased when {@code ignoreCase}); the regex source for
 *                   {@code SAFE_REGEX}
 * @param regex      the compiled RE2 pattern for {@code SAFE_REGEX} (matched against the whole string), else
 *                   {@code null}
 * @param ignoreCase compare without regard to ASCII case
 */
public record StringMatcher(Kind kind, String value, Pattern regex, boolean ignoreCase) {
    /** Comparison kinds, by YAML key. */
    public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, SAFE_REGEX }

    public StringMatcher {
        if ((kind == Kind.SAFE_REGEX) != (regex != null)) {
            throw new IllegalArgumentException("regex: must be set exactly for SAFE_REGEX");
        }
    }

    /**
     * @param actual the string to test; never {@code null}
     * @return whether it satisfies this condition
     */
    /**
     * Reads Envoy's {@code StringMatcher} ({@code { exact | prefix | suffix | contains | safe_regex: { regex }, ignore_case }}),
     * for filters' settings.
     *
     * @return the matcher, or {@code null} after recording the error on the node
     */
    public static StringMatcher read(ConfigNode n) {
        return RouteMatchReader.stringMatcher(n);
    }

    public boolean matches(String actual) {
        String v = ignoreCase && kind != Kind.SAFE_REGEX ? actual.toLowerCase(Locale.ROOT) : actual;
        return switch (kind) {
            case EXACT -> v.equals(value);
            case PREFIX -> v.startsWith(value);
            case SUFFIX -> v.endsWith(value);
            case CONTAINS -> v.contains(value);
            case SAFE_REGEX -> regex.matches(v);
        };
    }

    /** The condition as its YAML reads, e.g. {@code prefix "v2"}. */
    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " \"" + value + "\"" + (ignoreCase ? " (ignore_case)" : "");
    }
}
