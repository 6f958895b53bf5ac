package io.outrigger.filter.fault;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The {@code fault} filter (Envoy's {@code envoy.filters.http.fault}, {@code HTTPFault}), listener-wide or per route or
 * virtual host in {@code typed_per_filter_config}:
 * <pre>{@code
 * http_filters:
 *   - name: fault
 *     config:
 *       delay: { fixed_delay: 2s, percentage: { numerator: 10 } }        # or header_delay: {} (x-outrigger-fault-delay-request, ms)
 *       abort: { http_status: 503, percentage: { numerator: 5 } }        # or grpc_status: 14, or header_abort: {}
 *       max_active_faults: 100
 * }</pre>
 * {@code percentage} is Envoy's {@code FractionalPercent} ({@code denominator: HUNDRED | TEN_THOUSAND | MILLION}, default
 * HUNDRED; absent: 100 %). With {@code header_*}, {@code x-outrigger-fault-*-percentage} headers may lower the
 * percentage (Envoy's {@code x-envoy-fault-*} headers, under our prefix).
 */
public final class FaultFilterFactory implements HttpFilterConfigFactory {
    private static final Map<String, Integer> DENOMINATORS = new LinkedHashMap<>();

    static {
        DENOMINATORS.put("HUNDRED", 100);
        DENOMINATORS.put("TEN_THOUSAND", 10_000);
        DENOMINATORS.put("MILLION", 1_000_000);
    }

    private final Supplier<RandomGenerator> random;
    private final FaultConfig.Stats stats = new FaultConfig.Stats(FilterStats.counter("fault.delays_injected"),
            FilterStats.counter("fault.aborts_injected"), FilterStats.counter("fault.faults_overflow"));

    public FaultFilterFactory() {
        this(ThreadLocalRandom::current);
    }

    /** @param random each stream's random source (tests inject a seeded one) */
    FaultFilterFactory(Supplier<RandomGenerator> random) {
        this.random = random;
    }

    @Override
    public String name() {
        return FaultFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        FaultConfig parsed = config == null ? null : parse(config);
        if (config != null && parsed == null) {
            return null;
        }
        return chain -> chain.addDecoderFilter(new FaultFilter(parsed, random.get()));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        return parse(config);
    }

    /** @return the settings, or {@code null} after recording errors */
    FaultConfig parse(ConfigNode n) {
        ConfigMap m = n.asMap();
        boolean[] ok = {true};
        FaultConfig.Delay delay = m.optional("delay").map(d -> delay(d, ok)).orElse(null);
        FaultConfig.Abort abort = m.optional("abort").map(a -> abort(a, ok)).orElse(null);
        int max = (int) m.integer("max_active_faults", 0, 0, Integer.MAX_VALUE);
        m.finish();
        if (delay == null && abort == null && ok[0]) {
            n.error("no fault (expected: delay, abort or both)");
            ok[0] = false;
        }
        return ok[0] ? new FaultConfig(delay, abort, max, new AtomicInteger(), stats) : null;
    }

    private FaultConfig.Delay delay(ConfigNode n, boolean[] ok) {
        ConfigMap m = n.asMap();
        Duration fixed = m.duration("fixed_delay", null, Duration.ofMillis(1));
        boolean header = m.has("header_delay");
        m.optional("header_delay").ifPresent(h -> h.asMap().finish());
        int perMillion = percentage(m, ok);
        m.finish();
        if ((fixed != null) == header) {
            n.error("a delay needs exactly one of fixed_delay or header_delay: {}");
            ok[0] = false;
            return null;
        }
        return new FaultConfig.Delay(fixed, header, perMillion);
    }

    private FaultConfig.Abort abort(ConfigNode n, boolean[] ok) {
        ConfigMap m = n.asMap();
        int http = (int) m.integer("http_status", 0, 200, 599);
        int grpc = (int) m.integer("grpc_status", -1, 0, 16);
        boolean header = m.has("header_abort");
        m.optional("header_abort").ifPresent(h -> h.asMap().finish());
        int perMillion = percentage(m, ok);
        int given = (m.has("http_status") ? 1 : 0) + (m.has("grpc_status") ? 1 : 0) + (header ? 1 : 0);
        m.finish();
        if (given != 1) {
            n.error("an abort needs exactly one of http_status, grpc_status or header_abort: {}");
            ok[0] = false;
            return null;
        }
        return new FaultConfig.Abort(http, grpc, header, perMillion);
    }

    // Envoy's FractionalPercent, as parts per million; absent: all requests
    private static int percentage(ConfigMap m, boolean[] ok) {
        Optional<ConfigNode> p = m.optional("percentage");
        if (p.isEmpty()) {
            return 1_000_000;
        }
        ConfigMap pm = p.get().asMap();
        int denominator = pm.oneOf("denominator", DENOMINATORS, 100);
        long numerator = pm.integer("numerator", 0, 0, denominator);
        if (!pm.has("numerator")) {
            p.get().error("missing required key 'numerator'");
            ok[0] = false;
        }
        pm.finish();
        return (int) (numerator * (1_000_000 / denominator));
    }
}
