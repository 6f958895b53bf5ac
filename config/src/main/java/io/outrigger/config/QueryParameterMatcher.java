package io.outrigger.config;

/**
 * A query-parameter condition of a route match (Envoy's {@code QueryParameterMatcher}): the parameter's first
 * value satisfies {@code stringMatch}, or, with {@code present_match: true}, the parameter is present.
 *
 * @param name        the parameter name, compared exactly (after %-decoding)
 * @param stringMatch the value condition, or {@code null} for {@code present_match}
 */
public record QueryParameterMatcher(String name, StringMatcher stringMatch) {
    /**
     * @param firstValue the request's first value of the parameter (decoded; {@code ""} for {@code ?name}), or
     *                   {@code null} when absent
     */
    public boolean matches(String firstValue) {
        if (firstValue == null) {
            return false;
        }
        return stringMatch == null || stringMatch.matches(firstValue);
    }

    @Override
    public String toString() {
        return "query parameter " + name + (stringMatch == null ? " present" : ": " + stringMatch);
    }
}
