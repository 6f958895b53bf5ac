package io.outrigger.filter.ratelimit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Envoy's local rate limit token bucket ({@code token_bucket: { max_tokens, tokens_per_fill, fill_interval }}): it
 * starts full, gains {@code tokens_per_fill} every {@code fill_interval} up to {@code max_tokens}, and a request takes
 * one token or is limited. Shared by every worker without a lock: the whole state — the number of the last fill
 * interval seen and the tokens left — is one {@link AtomicLong} (interval in the high 32 bits, tokens in the low 32),
 * refilled lazily by whoever takes the next token, with one compare-and-set per request. Time comes from the injected
 * clock (nanoseconds), so tests drive it without sleeping.
 */
public final class TokenBucket {
    /** What one request's attempt found. */
    public record Outcome(boolean allowed, int remaining, long resetNanos) {
    }

    private final int maxTokens;
    private final int tokensPerFill;
    private final long fillIntervalNanos;
    private final LongSupplier nanoTime;
    private final long origin;
    private final AtomicLong state;

    /**
     * @param maxTokens         bucket size, at least 1 (and at most 2³¹−1)
     * @param tokensPerFill     tokens added per interval, at least 1
     * @param fillIntervalNanos the interval, at least 1 ms in nanoseconds
     * @param nanoTime          the clock ({@code System::nanoTime})
     */
    public TokenBucket(int maxTokens, int tokensPerFill, long fillIntervalNanos, LongSupplier nanoTime) {
        if (maxTokens < 1 || tokensPerFill < 1 || fillIntervalNanos < 1_000_000) {
            throw new IllegalArgumentException("max_tokens and tokens_per_fill at least 1, fill_interval at least 1 ms");
        }
        this.maxTokens = maxTokens;
        this.tokensPerFill = tokensPerFill;
        this.fillIntervalNanos = fillIntervalNanos;
        this.nanoTime = nanoTime;
        this.origin = nanoTime.getAsLong();
        this.state = new AtomicLong(maxTokens); // interval 0, full
    }

    /** Takes a token if there is one. */
    public Outcome tryAcquire() {
        long now = nanoTime.getAsLong();
        long interval = (now - origin) / fillIntervalNanos;
        long resetNanos = (interval + 1) * fillIntervalNanos + origin - now;
        while (true) {
            long s = state.get();
            long seen = s >>> 32;
            long tokens = s & 0xFFFF_FFFFL;
            long current = interval & 0xFFFF_FFFFL;
            if (current != seen) {
                long elapsed = (current - seen) & 0xFFFF_FFFFL; // intervals since the last refill (wraps after 2^32)
                tokens = Math.min(maxTokens, tokens + Math.min(elapsed, maxTokens) * tokensPerFill);
            }
            if (tokens == 0) {
                if (current != seen) {
                    state.compareAndSet(s, current << 32); // record the interval; nothing to take
                }
                return new Outcome(false, 0, resetNanos);
            }
            if (state.compareAndSet(s, (current << 32) | (tokens - 1))) {
                return new Outcome(true, (int) (tokens - 1), resetNanos);
            }
        }
    }

    public int maxTokens() {
        return maxTokens;
    }
}
