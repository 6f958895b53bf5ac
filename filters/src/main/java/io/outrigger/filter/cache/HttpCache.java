package io.outrigger.filter.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The response store: Caffeine bounded by weight (bytes: bodies, header fields and a fixed overhead per entry,
 * evicted by Window TinyLFU), plus the fills in flight for request coalescing. One per process, shared by every
 * {@code cache} filter and kept across config reloads (a reload sets its bound to the newest {@code max_bytes}).
 * Thread-safe; store maintenance runs on the calling thread (no background executor).
 */
final class HttpCache {
    private static HttpCache shared;

    private final Cache<CacheKey, CacheEntry> store;
    private final ConcurrentHashMap<CacheKey, Fill> fills = new ConcurrentHashMap<>();
    private final AtomicLong markerIds = new AtomicLong();
    private final LongAdder evictions;

    HttpCache(long maxBytes, LongAdder evictions) {
        this.evictions = evictions;
        this.store = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey k, CacheEntry v) -> v.weight() + 2 * (k.authority().length() + k.target().length()
                        + (k.variant() == null ? 0 : k.variant().length())) + 64)
                .executor(Runnable::run)
                .removalListener((CacheKey k, CacheEntry v, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .build();
    }

    /** The process's store, created on first use and re-bounded to {@code maxBytes} on every later call. */
    static synchronized HttpCache shared(long maxBytes, LongAdder evictions) {
        if (shared == null) {
            shared = new HttpCache(maxBytes, evictions);
        } else {
            shared.store.policy().eviction().ifPresent(e -> e.setMaximum(maxBytes));
        }
        return shared;
    }

    /** The process's store, if a {@code cache} filter was ever configured. */
    static synchronized java.util.Optional<HttpCache> existing() {
        return java.util.Optional.ofNullable(shared);
    }

    /** The stored response for a request to {@code key} (following its Vary marker), or {@code null}. */
    CachedResponse lookup(CacheKey key, HttpHeaders request) {
        CacheEntry e = store.getIfPresent(key);
        if (e instanceof VaryMarker m) {
            e = store.getIfPresent(key.withVariant(m.variant(request)));
        }
        return e instanceof CachedResponse r ? r : null;
    }

    /**
     * Stores {@code response} for a request to {@code key}.
     *
     * @param vary the response's Vary names (empty: it does not vary)
     */
    void insert(CacheKey key, HttpHeaders request, CachedResponse response, List<String> vary) {
        if (vary.isEmpty()) {
            store.put(key, response);
            return;
        }
        CacheEntry e = store.getIfPresent(key);
        VaryMarker m = e instanceof VaryMarker vm && vm.headers().equals(vary) ? vm
                : new VaryMarker(markerIds.incrementAndGet(), List.copyOf(vary));
        if (m != e) {
            store.put(key, m);
        }
        store.put(key.withVariant(m.variant(request)), response);
    }

    /** Drops what is stored for {@code key}, every variant with it. */
    void invalidate(CacheKey key) {
        store.invalidate(key);
    }

    /**
     * Drops every entry whose authority is {@code host} (any when {@code null}) and whose target is {@code path}
     * (exact, query included) or whose path starts with {@code prefix}; both {@code null}: every target.
     *
     * @return how many responses were dropped (markers not counted)
     */
    int purge(String host, String path, String prefix) {
        int n = 0;
        for (CacheKey k : List.copyOf(store.asMap().keySet())) {
            boolean hostMatches = host == null || k.authority().equals(host);
            boolean targetMatches = path == null && prefix == null || path != null && k.target().equals(path)
                    || prefix != null && k.path().startsWith(prefix);
            if (hostMatches && targetMatches) {
                CacheEntry removed = store.asMap().remove(k);
                n += removed instanceof CachedResponse ? 1 : 0;
            }
        }
        return n;
    }

    /** What a stream joining a key's fill is. */
    record Joined(Fill fill, boolean leader) {
    }

    /**
     * Joins the fill of {@code key}: as its leader when none is in flight (the caller fetches and must complete it),
     * else as a waiter told when it ends.
     */
    Joined join(CacheKey key, Fill.Waiter waiter) {
        for (;;) {
            Fill mine = new Fill(this, key);
            Fill f = fills.putIfAbsent(key, mine);
            if (f == null) {
                return new Joined(mine, true);
            }
            if (f.addWaiter(waiter)) {
                return new Joined(f, false);
            }
            fills.remove(key, f); // it ended while we looked: try again
        }
    }

    /** Whether some stream is fetching {@code key} now. */
    boolean filling(CacheKey key) {
        return fills.containsKey(key);
    }

    void fillEnded(CacheKey key, Fill f) {
        fills.remove(key, f);
    }

    /** Bytes held now (weights), after pending maintenance. */
    long weightedBytes() {
        store.cleanUp();
        return store.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    long maxBytes() {
        return store.policy().eviction().map(e -> e.getMaximum()).orElse(0L);
    }

    /** Stored responses and Vary markers. */
    long entries() {
        store.cleanUp();
        return store.estimatedSize();
    }
}
