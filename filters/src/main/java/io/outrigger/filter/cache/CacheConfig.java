package io.outrigger.filter.cache;

import io.outrigger.config.StringMatcher;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code cache} filter's settings.
 *
 * @param cache                  the store
 * @param maxObjectBytes         the largest body stored, bytes; larger responses pass through unstored
 * @param allowedVaryHeaders     the request headers a stored response may vary on (empty list: any)
 * @param ignoreRequestCacheControl whether the request's {@code Cache-Control} / {@code Pragma} are ignored
 * @param xCacheHeader           whether responses get {@code x-cache: HIT | MISS | STALE}
 * @param clock                  wall-clock time (the {@code Date}/{@code Expires} arithmetic of RFC 9111)
 * @param stats                  counters
 */
record CacheConfig(HttpCache cache, long maxObjectBytes, List<StringMatcher> allowedVaryHeaders,
        boolean ignoreRequestCacheControl, boolean xCacheHeader, Clock clock, Stats stats) {

    /** Counters under {@code cache.}. */
    record Stats(LongAdder hit, LongAdder miss, LongAdder stale, LongAdder validated, LongAdder notModified,
            LongAdder stored, LongAdder notStored, LongAdder tooLarge, LongAdder coalesced, LongAdder invalidated,
            LongAdder staleIfError) {
    }

    /** Whether a response may vary on request header {@code name} (lower case). */
    boolean varyAllowed(String name) {
        if (allowedVaryHeaders.isEmpty()) {
            return true;
        }
        for (StringMatcher m : allowedVaryHeaders) {
            if (m.matches(name)) {
                return true;
            }
        }
        return false;
    }
}
