package io.outrigger.config;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * Envoy's {@code regex_rewrite: { pattern: { regex }, substitution }}: every match of {@code pattern} in the
 * path (not the query) is replaced by {@code substitution}, in which {@code \1}…{@code \9} stand for capture
 * groups (Envoy's, RE2's syntax).
 *
 * @param pattern      the compiled RE2 pattern
 * @param substitution the replacement as configured
 */
public record RegexRewrite(Pattern pattern, String substitution) {
    /**
     * @param pathAndQuery an origin-form target, {@code /path?query}
     * @return the target with the path rewritten and the query kept
     */
    public String apply(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String rest = q < 0 ? "" : pathAndQuery.substring(q);
        Matcher m = pattern.matcher(path);
        return m.replaceAll(re2jReplacement(substitution)) + rest;
    }

    /** The highest {@code \N} in an Envoy substitution, or 0 (for checking it against the pattern's groups). */
    static int highestGroupReference(String envoy) {
        int max = 0;
        for (int i = 0; i + 1 < envoy.length(); i++) {
            char c = envoy.charAt(i);
            if (c == '\\' && Character.isDigit(envoy.charAt(i + 1))) {
                max = Math.max(max, envoy.charAt(i + 1) - '0');
                i++;
            } else if (c == '\\' && envoy.charAt(i + 1) == '\\') {
                i++;
            }
        }
        return max;
    }

    /** Envoy writes groups as {@code \N}; RE2/J as {@code $N}: translate, and quote a literal {@code $}. */
    static String re2jReplacement(String envoy) {
        StringBuilder b = new StringBuilder(envoy.length() + 4);
        for (int i = 0; i < envoy.length(); i++) {
            char c = envoy.charAt(i);
            if (c == '\\' && i + 1 < envoy.length() && Character.isDigit(envoy.charAt(i + 1))) {
                b.append('$').append(envoy.charAt(++i));
            } else if (c == '\\' && i + 1 < envoy.length() && envoy.charAt(i + 1) == '\\') {
                b.append("\\\\");
                i++;
            } else if (c == '$' || c == '\\') {
                b.append('\\').append(c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
