package io.outrigger.filter;

/**
 * Creates a configured filter's per-stream instances. Built once per config load from the validated
 * settings; called for every stream on that stream's event loop, so it must be cheap and thread-safe
 * (typically it only captures an immutable config record).
 */
@FunctionalInterface
public interface FilterFactory {
    void createFilters(FilterChainBuilder chain);
}
