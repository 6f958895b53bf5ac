package io.outrigger.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration and size notations accepted in configuration files. */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private Units() {
    }

    /**
     * Parses {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 1m}, {@code 2h} or {@code 0}.
     *
     * @return the duration, or {@code null} when the text is not a duration
     */
    public static Duration parseDuration(String text) {
        if ("0".equals(text)) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
        };
        if (millis > Long.MAX_VALUE / 1_000_000) {
            return null;
        }
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    /**
     * Parses {@code 1024}, {@code 64KiB}, {@code 1MiB}, {@code 2GiB} (binary) or {@code 10KB}, {@code 1MB} (decimal).
     *
     * @return the size in bytes, or {@code -1} when the text is not a size or overflows
     */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long multiplier = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }
}
