package io.outrigger.filter.ratelimit;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The {@code local_ratelimit} filter (Envoy's {@code envoy.filters.http.local_ratelimit}), listener-wide and per route
 * or virtual host through {@code typed_per_filter_config} (the same keys; a route's bucket is its own):
 * <pre>{@code
 * http_filters:
 *   - name: local_ratelimit
 *     config:
 *       stat_prefix: http_local_rate_limiter        # counters <prefix>.http_local_rate_limit.{ok,rate_limited}
 *       token_bucket: { max_tokens: 100, tokens_per_fill: 100, fill_interval: 1s }
 *       descriptors:                                # a bucket per value; the first that applies wins
 *         - { request_headers: { header_name: x-user-id }, token_bucket: { max_tokens: 10, fill_interval: 1s } }
 *         - { remote_address: {}, token_bucket: { max_tokens: 20, fill_interval: 1s } }
 *       max_descriptor_keys: 10000                  # values tracked per descriptor (least recently seen go first)
 *       enable_x_ratelimit_headers: DRAFT_VERSION_03
 *       status: 429
 * }</pre>
 */
public final class LocalRateLimitFilterFactory implements HttpFilterConfigFactory {
    private static final Map<String, Boolean> HEADER_MODES = new LinkedHashMap<>();

    static {
        HEADER_MODES.put("OFF", false);
        HEADER_MODES.put("DRAFT_VERSION_03", true);
    }

    private final LongSupplier nanoTime;

    public LocalRateLimitFilterFactory() {
        this(System::nanoTime);
    }

    /** @param nanoTime the buckets' clock (tests inject one) */
    LocalRateLimitFilterFactory(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public String name() {
        return LocalRateLimitFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: token_bucket: { max_tokens, tokens_per_fill, fill_interval })");
            return null;
        }
        LocalRateLimitConfig parsed = parse(config);
        return parsed == null ? null : chain -> chain.addStreamFilter(new LocalRateLimitFilter(parsed));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        return parse(config);
    }

    /** @return the settings, or {@code null} after recording errors on the nodes */
    LocalRateLimitConfig parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        String prefix = m.string("stat_prefix", "http_local_rate_limiter");
        java.util.function.Supplier<TokenBucket> bucket = m.required("token_bucket").map(this::bucket).orElse(null);
        long maxKeys = m.integer("max_descriptor_keys", 10_000, 1, 10_000_000);
        List<LocalRateLimitConfig.Descriptor> descriptors = new ArrayList<>();
        for (ConfigNode d : m.list("descriptors")) {
            LocalRateLimitConfig.Descriptor parsed = descriptor(d, maxKeys);
            if (parsed != null) {
                descriptors.add(parsed);
            }
        }
        boolean headers = m.oneOf("enable_x_ratelimit_headers", HEADER_MODES, false);
        int status = (int) m.integer("status", 429, 400, 599);
        m.finish();
        if (bucket == null) {
            return null;
        }
        return new LocalRateLimitConfig(bucket.get(), List.copyOf(descriptors), headers, status,
                new LocalRateLimitConfig.Stats(FilterStats.counter(prefix + ".http_local_rate_limit.ok"),
                        FilterStats.counter(prefix + ".http_local_rate_limit.rate_limited")));
    }

    private java.util.function.Supplier<TokenBucket> bucket(ConfigNode n) {
        ConfigMap m = n.asMap();
        long max = m.integer("max_tokens", 0, 1, Integer.MAX_VALUE);
        if (!m.has("max_tokens")) {
            n.error("missing required key 'max_tokens'");
        }
        long perFill = m.integer("tokens_per_fill", 1, 1, Integer.MAX_VALUE);
        Duration interval = m.duration("fill_interval", null, Duration.ofMillis(1));
        if (!m.has("fill_interval")) {
            n.error("missing required key 'fill_interval' (e.g. 1s)");
        }
        m.finish();
        if (max < 1 || interval == null) {
            return null;
        }
        return () -> new TokenBucket((int) max, (int) perFill, interval.toNanos(), nanoTime);
    }

    private LocalRateLimitConfig.Descriptor descriptor(ConfigNode n, long maxKeys) {
        ConfigMap m = n.asMap();
        LocalRateLimitConfig.Descriptor out = null;
        java.util.function.Supplier<TokenBucket> bucket = m.required("token_bucket").map(this::bucket).orElse(null);
        boolean header = m.has("request_headers");
        boolean remote = m.has("remote_address");
        String headerName = null;
        if (header) {
            ConfigMap h = m.optional("request_headers").get().asMap();
            headerName = h.requiredString("header_name").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
            h.finish();
        }
        if (remote) {
            m.optional("remote_address").ifPresent(r -> r.asMap().finish());
        }
        if (header == remote) {
            n.error("a descriptor needs exactly one of request_headers: { header_name } or remote_address: {}");
        } else if (bucket != null && (remote || headerName != null)) {
            out = new LocalRateLimitConfig.Descriptor(remote ? LocalRateLimitConfig.KeySource.REMOTE_ADDRESS
                    : LocalRateLimitConfig.KeySource.REQUEST_HEADERS, headerName, bucket, maxKeys);
        }
        m.finish();
        return out;
    }
}
