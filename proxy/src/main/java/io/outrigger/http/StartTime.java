package io.outrigger.http;

import java.time.Instant;

/**
 * An access log's {@code START_TIME}: UTC, millisecond precision, always three fraction digits
 * ({@code 2026-11-30T18:45:02.007Z}, Envoy's default {@code %Y-%m-%dT%H:%M:%E3SZ}; {@link Instant#toString} drops a
 * zero fraction). The date and time up to the second is formatted once per second and shared; a line costs three
 * digits.
 */
final class StartTime {
    /** The last second formatted, as {@code 2026-11-30T18:45:02.}; immutable, replaced whole (racy but safe). */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    private StartTime() {
    }

    /**
     * Appends {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}.
     *
     * @param epochMillis ms since the epoch (years 0 to 9999)
     * @return {@code sb}
     */
    static StringBuilder append(StringBuilder sb, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        Second s = last;
        if (s.epochSecond() != second) {
            String t = Instant.ofEpochSecond(second).toString(); // 2026-11-30T18:45:02Z
            s = new Second(second, t.substring(0, t.length() - 1) + '.');
            last = s;
        }
        sb.append(s.text());
        if (millis < 100) {
            sb.append('0');
        }
        if (millis < 10) {
            sb.append('0');
        }
        return sb.append(millis).append('Z');
    }
}
