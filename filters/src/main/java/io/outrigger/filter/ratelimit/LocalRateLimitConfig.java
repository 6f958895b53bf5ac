package io.outrigger.filter.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One {@code local_ratelimit} configuration — the listener's, or a route's or virtual host's
 * ({@code typed_per_filter_config}) — with its live buckets. Built once per config load; shared by every worker.
 *
 * @param bucket       the default bucket ({@code token_bucket})
 * @param descriptors  buckets per distinct value of a request property, tried in order; the first whose property the
 *                     request has applies, else the default bucket
 * @param xRateLimitHeaders {@code enable_x_ratelimit_headers: DRAFT_VERSION_03}: responses carry
 *                     {@code x-ratelimit-limit/-remaining/-reset}
 * @param status       the local reply's status (default 429)
 * @param stats        {@code <stat_prefix>.http_local_rate_limit.{ok,rate_limited}}
 */
public record LocalRateLimitConfig(TokenBucket bucket, List<Descriptor> descriptors, boolean xRateLimitHeaders,
                                   int status, Stats stats) {
    /** Envoy's counters, under the filter's {@code stat_prefix}. */
    public record Stats(LongAdder ok, LongAdder rateLimited) {
    }

    /** Where a descriptor's key comes from (Envoy's rate-limit actions of the same names). */
    public enum KeySource { REQUEST_HEADERS, REMOTE_ADDRESS }

    /**
     * Buckets per value: {@code { request_headers: { header_name }, token_bucket }} or
     * {@code { remote_address: {}, token_bucket }}; at most {@code maxKeys} values are tracked (the least recently seen
     * go first — Caffeine, size-bounded), so random values cannot exhaust memory.
     */
    public static final class Descriptor {
        private final KeySource source;
        private final String headerName;
        private final Supplier<TokenBucket> newBucket;
        private final Cache<String, TokenBucket> buckets;

        public Descriptor(KeySource source, String headerName, Supplier<TokenBucket> newBucket, long maxKeys) {
            this.source = source;
            this.headerName = headerName;
            this.newBucket = newBucket;
            this.buckets = Caffeine.newBuilder().maximumSize(maxKeys).build();
        }

        public KeySource source() {
            return source;
        }

        /** The header a {@code request_headers} descriptor reads ({@code null} for {@code remote_address}). */
        public String headerName() {
            return headerName;
        }

        /** The bucket of one value, made on its first request. */
        public TokenBucket bucket(String value) {
            return buckets.get(value, k -> newBucket.get());
        }
    }
}
