package io.outrigger.config;

import com.google.re2j.Pattern;

/**
 * A header condition of a route match (Envoy's {@code HeaderMatcher}).
 *
 * @param name    header name, lower-cased
 * @param kind    how the value is compared
 * @param value   the value to compare with ({@code null} for {@code PRESENT})
 * @param regex   the compiled RE2 pattern for {@code SAFE_REGEX}, else {@code null}
 * @param invert  Envoy's {@code invert_match}: the condition holds when the comparison fails
 */
public record HeaderMatcher(String name, Kind kind, String value, Pattern regex, boolean invert) {
    /**
     * Reads Envoy's {@code HeaderMatcher} node: {@code { name, exact | prefix | suffix | contains | safe_regex |
     * present, invert_match }}; no condition means present.
     *
     * @return {@code null} after recording errors (with line and column) on the node
     */
    public static HeaderMatcher read(ConfigNode n) {
        return RouteMatchReader.headerMatcher(n);
    }

    /** Comparison kinds, by YAML key. */
    public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, SAFE_REGEX, PRESENT }

    /**
     * Applies this condition to the header's value.
     *
     * @param actual the request's first value of the header, or {@code null} when absent
     */
    public boolean matches(CharSequence actual) {
        boolean result;
        if (actual == null) {
            result = kind == Kind.PRESENT && "false".equals(value);
        } else {
            String v = actual.toString();
            result = switch (kind) {
                case EXACT -> v.equals(value);
                case PREFIX -> v.startsWith(value);
                case SUFFIX -> v.endsWith(value);
                case CONTAINS -> v.contains(value);
                case SAFE_REGEX -> regex.matches(v);
                case PRESENT -> !"false".equals(value);
            };
        }
        return result != invert;
    }
}
