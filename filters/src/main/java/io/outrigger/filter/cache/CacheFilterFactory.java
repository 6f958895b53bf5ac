package io.outrigger.filter.cache;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.AdminEndpoints;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code cache} filter (Envoy's {@code envoy.filters.http.cache}, its field names where it has them):
 * <pre>{@code
 * http_filters:
 *   - name: cache
 *     config:                                    # may be omitted: every key has a default
 *       max_bytes: 64MiB                         # the store's bound: bodies, header fields, per-entry overhead
 *       max_object_bytes: 1MiB                   # larger responses stream through unstored
 *       allowed_vary_headers: [ accept-encoding, { prefix: x-tenant- } ]   # Envoy's StringMatchers; absent: any
 *       ignore_request_cache_control_header: false
 *       x_cache_header: false                    # true: responses say x-cache: HIT | MISS | STALE
 * }</pre>
 * Per route or virtual host: {@code typed_per_filter_config: { cache: { disabled: true } }}. One store per process,
 * kept across config reloads (its bound follows the newest config's {@code max_bytes}). Counters under {@code cache.}:
 * {@code hit}, {@code miss}, {@code stale}, {@code validated}, {@code not_modified}, {@code stored}, {@code not_stored},
 * {@code too_large}, {@code coalesced}, {@code invalidated}, {@code stale_if_error}, {@code evicted}, {@code purged}.
 * Admin: {@code GET /cache} (entries, bytes, hit ratio, as JSON) and
 * {@code POST /cache/purge[?host=H][&path=/P | &prefix=/P]}.
 */
public final class CacheFilterFactory implements HttpFilterConfigFactory {
    private static final java.util.concurrent.atomic.LongAdder EVICTED = FilterStats.counter("cache.evicted");
    private static final java.util.concurrent.atomic.LongAdder PURGED = FilterStats.counter("cache.purged");
    private static final CacheConfig.Stats STATS = new CacheConfig.Stats(FilterStats.counter("cache.hit"),
            FilterStats.counter("cache.miss"), FilterStats.counter("cache.stale"), FilterStats.counter("cache.validated"),
            FilterStats.counter("cache.not_modified"), FilterStats.counter("cache.stored"),
            FilterStats.counter("cache.not_stored"), FilterStats.counter("cache.too_large"),
            FilterStats.counter("cache.coalesced"), FilterStats.counter("cache.invalidated"),
            FilterStats.counter("cache.stale_if_error"));

    static {
        AdminEndpoints.register("/cache/purge", "POST /cache/purge[?host=H][&path=/P | &prefix=/P]",
                CacheFilterFactory::purge);
        AdminEndpoints.register("/cache", "GET /cache (the response cache: entries, bytes, hit ratio)",
                (post, params) -> new AdminEndpoints.Response(200, statsJson(), "application/json"));
    }

    private final Clock clock;

    /** As ServiceLoader makes it: the system clock. */
    public CacheFilterFactory() {
        this(Clock.systemUTC());
    }

    /** @param clock wall-clock time for the RFC 9111 age arithmetic (tests move it) */
    CacheFilterFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return CacheFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        CacheConfig c = config == null ? settings(64L << 20, 1L << 20, List.of(), false, false) : parse(config);
        return c == null ? null : chain -> chain.addStreamFilter(new CacheFilter(c));
    }

    CacheConfig parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        long maxBytes = m.size("max_bytes", 64L << 20, 1L << 16, 1L << 40);
        long maxObject = m.size("max_object_bytes", 1L << 20, 1, 1L << 30);
        List<StringMatcher> vary = new ArrayList<>();
        boolean ok = true;
        if (m.has("allowed_vary_headers")) {
            for (ConfigNode n : m.list("allowed_vary_headers")) {
                if (n.asString().isPresent()) {
                    vary.add(new StringMatcher(StringMatcher.Kind.EXACT, n.asString().get().toLowerCase(Locale.ROOT),
                            null, true));
                } else {
                    StringMatcher sm = StringMatcher.read(n);
                    ok &= sm != null;
                    if (sm != null) {
                        vary.add(sm);
                    }
                }
            }
        }
        boolean ignoreRequest = m.bool("ignore_request_cache_control_header", false);
        boolean xCache = m.bool("x_cache_header", false);
        ConfigNode maxObjectNode = m.optional("max_object_bytes").orElse(null);
        m.finish();
        if (maxObject > maxBytes && maxObjectNode != null) {
            maxObjectNode.error("max_object_bytes (" + maxObject + ") is larger than max_bytes (" + maxBytes + ")");
            return null;
        }
        return ok ? settings(maxBytes, maxObject, vary, ignoreRequest, xCache) : null;
    }

    private CacheConfig settings(long maxBytes, long maxObject, List<StringMatcher> vary, boolean ignoreRequest,
            boolean xCache) {
        return new CacheConfig(HttpCache.shared(maxBytes, EVICTED), maxObject, List.copyOf(vary), ignoreRequest, xCache,
                clock, STATS);
    }

    private static AdminEndpoints.Response purge(boolean post, Map<String, List<String>> params) {
        if (!post) {
            return AdminEndpoints.Response.text(405, "use POST\n");
        }
        String host = first(params, "host");
        String path = first(params, "path");
        String prefix = first(params, "prefix");
        if (path != null && prefix != null) {
            return AdminEndpoints.Response.text(400, "give path or prefix, not both\n");
        }
        int n = HttpCache.existing().map(c -> c.purge(host == null ? null : host.toLowerCase(Locale.ROOT), path, prefix))
                .orElse(0);
        PURGED.add(n);
        return AdminEndpoints.Response.text(200, "purged " + n + "\n");
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** {@code GET /cache}: the store's size and the hit ratio since start (hits and stale answers over lookups). */
    static String statsJson() {
        long hits = STATS.hit().sum() + STATS.stale().sum();
        long lookups = hits + STATS.miss().sum();
        return HttpCache.existing().map(c -> String.format(Locale.ROOT,
                "{\"entries\":%d,\"bytes\":%d,\"max_bytes\":%d,\"hits\":%d,\"misses\":%d,\"hit_ratio\":%.4f,"
                        + "\"evicted\":%d}\n", c.entries(), c.weightedBytes(), c.maxBytes(), hits, STATS.miss().sum(),
                lookups == 0 ? 0.0 : (double) hits / lookups, EVICTED.sum()))
                .orElse("{\"entries\":0,\"bytes\":0,\"max_bytes\":0,\"hits\":0,\"misses\":0,\"hit_ratio\":0,\"evicted\":0}\n");
    }
}
