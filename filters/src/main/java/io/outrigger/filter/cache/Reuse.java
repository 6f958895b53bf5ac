package io.outrigger.filter.cache;

/**
 * When a stored response may answer a request without the origin (RFC 9111 §4.2 and §4.2.4, RFC 5861), given the
 * request's directives. Times are epoch ms of the filter's clock.
 *
 * @param request the request's {@code Cache-Control} ({@link CacheControl#NONE} when ignored)
 */
record Reuse(CacheControl request) {
    /** Fresh, and fresh enough for the request's {@code max-age} and {@code min-fresh}; never with {@code no-cache}. */
    boolean fresh(CachedResponse r, long now) {
        if (r.cc.noCache() || request.noCache()) {
            return false;
        }
        long age = r.currentAgeMs(now);
        return age < r.lifetimeMs
                && (request.maxAge() < 0 || age <= request.maxAge() * 1000)
                && (request.minFresh() < 0 || r.lifetimeMs - age >= Math.min(request.minFresh(), Long.MAX_VALUE / 1000) * 1000);
    }

    /** RFC 9111 §5.2.1.2: the caller takes a response stale by at most {@code max-stale}. */
    boolean staleAllowedByRequest(CachedResponse r, long now) {
        return servableStale(r) && request.maxStale() >= 0
                && (request.maxStale() == Long.MAX_VALUE || r.stalenessMs(now) <= request.maxStale() * 1000);
    }

    /**
     * RFC 5861 §3: stale within {@code stale-while-revalidate} while another stream refreshes it.
     *
     * @param refreshing whether some stream is fetching the key now
     */
    boolean staleWhileRevalidate(CachedResponse r, long now, boolean refreshing) {
        return refreshing && servableStale(r) && r.cc.staleWhileRevalidate() >= 0
                && r.stalenessMs(now) <= r.cc.staleWhileRevalidate() * 1000;
    }

    /** RFC 5861 §4: an error may be answered with a response stale by at most {@code stale-if-error} (either side's). */
    boolean staleIfError(CachedResponse r, long now) {
        long window = Math.max(r.cc.staleIfError(), request.staleIfError());
        return servableStale(r) && window >= 0 && r.stalenessMs(now) <= window * 1000;
    }

    /** Whether serving it stale is allowed at all: not {@code must-revalidate}, not {@code no-cache} on either side. */
    private boolean servableStale(CachedResponse r) {
        return !r.cc.mustRevalidate() && !r.cc.noCache() && !request.noCache();
    }
}
