package io.outrigger.filter.buffer;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code buffer} filter (Envoy's {@code envoy.filters.http.buffer}): {@code config: { max_request_bytes: 1MiB }}
 * (required, as in Envoy; sizes take units). Per route: {@code typed_per_filter_config: { buffer: { buffer: {
 * max_request_bytes } } }} (Envoy's {@code BufferPerRoute}) or {@code { buffer: { disabled: true } }}. Counter
 * {@code buffer.completed}; bodies over the limit are counted with the listener's 413 replies.
 */
public final class BufferFilterFactory implements HttpFilterConfigFactory {
    /** Envoy's buffer filter has no counters of its own; this one counts bodies gathered whole. */
    record Stats(LongAdder completed) {
    }

    /** @param maxRequestBytes the largest body gathered, bytes */
    record Settings(long maxRequestBytes, Stats stats) {
    }

    private final Stats stats = new Stats(FilterStats.counter("buffer.completed"));

    @Override
    public String name() {
        return BufferFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: max_request_bytes: 1MiB)");
            return null;
        }
        Settings s = settings(config);
        return s == null ? null : chain -> chain.addDecoderFilter(new BufferFilter(s));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        ConfigMap m = config.asMap();
        ConfigNode b = m.required("buffer").orElse(null);
        m.finish();
        return b == null ? null : settings(b);
    }

    private Settings settings(ConfigNode n) {
        ConfigMap m = n.asMap();
        boolean present = m.required("max_request_bytes").isPresent();
        long max = m.size("max_request_bytes", 1 << 20, 1, 1L << 32);
        m.finish();
        return present ? new Settings(max, stats) : null;
    }
}
