package io.outrigger.filter.compressor;

import java.util.Locale;

/** Reads an {@code Accept-Encoding} field (RFC 9110 §12.5.3): codings with optional {@code q} weights, {@code *}. */
final class AcceptEncoding {
    private AcceptEncoding() {
    }

    /**
     * Whether {@code coding} is acceptable: named with a weight above 0, or covered by {@code *} above 0 and not named
     * with weight 0.
     *
     * @param field the field's value (several fields joined with commas)
     * @param token the coding, lower case ({@code gzip}, {@code br}, {@code zstd}, {@code identity})
     */
    static boolean accepts(String field, String token) {
        return weight(field, token) > 0;
    }

    /**
     * The weight the caller gives {@code coding} (RFC 9110 §12.5.3): its own {@code q}, else that of {@code *}; 0 when
     * neither is there.
     *
     * @return 0..1
     */
    static double weight(String field, String token) {
        double named = -1;
        double star = -1;
        for (String part : field.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int semi = p.indexOf(';');
            String name = (semi < 0 ? p : p.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
            double q = semi < 0 ? 1 : weight(p.substring(semi + 1));
            if (name.equals(token)) {
                named = Math.max(named, q);
            } else if (name.equals("*")) {
                star = Math.max(star, q);
            }
        }
        return named >= 0 ? named : Math.max(star, 0);
    }

    /** The {@code q} of the parameters after the coding (RFC 9110 §12.4.2); 1 when absent, 0 when malformed. */
    private static double weight(String params) {
        for (String param : params.split(";")) {
            String kv = param.trim();
            if (kv.length() > 2 && (kv.charAt(0) == 'q' || kv.charAt(0) == 'Q') && kv.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(kv.substring(2).trim());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
