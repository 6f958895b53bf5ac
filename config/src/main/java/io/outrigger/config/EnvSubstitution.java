package io.outrigger.config;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values with environment variables.
 * {@code $${} yields a literal {@code ${}.
 */
final class EnvSubstitution {
    private static final Pattern REF = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private EnvSubstitution() {
    }

    /** Thrown when a referenced variable is unset and has no default. */
    static final class UnsetVariableException extends Exception {
        UnsetVariableException(String name) {
            super("environment variable '" + name + "' is not set and has no default (write ${" + name
                    + ":-default})");
        }
    }

    static String apply(String value, UnaryOperator<String> env) throws UnsetVariableException {
        if (value.indexOf('$') < 0) {
            return value;
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(0).equals("$${")) {
                replacement = "${";
            } else {
                String resolved = env.apply(m.group(1));
                if (resolved == null) {
                    if (m.group(2) == null) {
                        throw new UnsetVariableException(m.group(1));
                    }
                    resolved = m.group(2);
                }
                replacement = resolved;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
