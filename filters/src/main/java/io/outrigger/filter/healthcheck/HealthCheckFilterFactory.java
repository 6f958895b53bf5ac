package io.outrigger.filter.healthcheck;

import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code health_check} filter (Envoy's {@code envoy.filters.http.health_check}):
 * <pre>{@code
 * http_filters:
 *   - name: health_check
 *     config:
 *       pass_through_mode: false                          # true: the app answers, unless the server drains
 *       headers: [ { name: ":path", string_match: { exact: /healthz } } ]   # Envoy's HeaderMatcher; all must match
 *       cluster_min_healthy_percentages: { app: { value: 100 } }             # 503 below these
 * }</pre>
 * A header matcher is {@code { name, string_match: {exact|prefix|suffix|contains|safe_regex} }} or
 * {@code { name, present_match: true }}; {@code :path} is the request's path without its query, {@code :method} its
 * method, {@code :authority} its host.
 */
public final class HealthCheckFilterFactory implements HttpFilterConfigFactory {
    /** A request header condition. */
    record Matcher(String name, StringMatcher match) {
        boolean matches(HttpRequest r) {
            String v = switch (name) {
                case ":path" -> {
                    String uri = r.uri();
                    int q = uri.indexOf('?');
                    yield q < 0 ? uri : uri.substring(0, q);
                }
                case ":method" -> r.method().name();
                case ":authority" -> r.headers().get("host");
                default -> r.headers().get(name);
            };
            return v != null && (match == null || match.matches(v));
        }
    }

    /** Envoy's counters {@code health_check.request_total / ok / failed} (Outrigger's names). */
    record Stats(LongAdder requests, LongAdder ok, LongAdder failed) {
    }

    /** The filter's settings. */
    record Settings(boolean passThrough, List<Matcher> headers, Map<String, Double> clusterMinHealthyPercentages,
                    Stats stats) {
        boolean matches(HttpRequest r) {
            for (int i = 0; i < headers.size(); i++) {
                if (!headers.get(i).matches(r)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Stats stats = new Stats(FilterStats.counter("health_check.request_total"),
            FilterStats.counter("health_check.ok"), FilterStats.counter("health_check.failed"));

    @Override
    public String name() {
        return HealthCheckFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: headers: [ { name: \":path\", string_match: { exact: /healthz } } ])");
            return null;
        }
        ConfigMap m = config.asMap();
        boolean passThrough = m.bool("pass_through_mode", false);
        List<Matcher> headers = new ArrayList<>();
        for (ConfigNode h : m.list("headers")) {
            Matcher parsed = matcher(h);
            if (parsed != null) {
                headers.add(parsed);
            }
        }
        if (!m.has("headers")) {
            config.error("missing required key 'headers' (e.g. [ { name: \":path\", string_match: { exact: /healthz } } ])");
        }
        Map<String, Double> minimums = new LinkedHashMap<>();
        ConfigMap mins = m.map("cluster_min_healthy_percentages");
        for (String cluster : List.copyOf(mins.keys())) {
            ConfigNode v = mins.optional(cluster).orElse(null);
            if (v != null) {
                ConfigMap vm = v.asMap();
                minimums.put(cluster, vm.number("value", 0, 0, 100));
                vm.finish();
            }
        }
        mins.finish();
        m.finish();
        if (headers.isEmpty()) {
            return null;
        }
        Settings settings = new Settings(passThrough, List.copyOf(headers), Map.copyOf(minimums), stats);
        return chain -> chain.addDecoderFilter(new HealthCheckFilter(settings));
    }

    private static Matcher matcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("name").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        StringMatcher match = null;
        boolean present = m.bool("present_match", false);
        if (m.has("string_match")) {
            match = StringMatcher.read(m.optional("string_match").get());
            m.finish();
            return name == null || match == null ? null : new Matcher(name, match);
        }
        if (present) {
            m.finish();
            return name == null ? null : new Matcher(name, null);
        }
        n.error("a header matcher needs string_match: { exact | prefix | suffix | contains | safe_regex } or present_match: true");
        m.finish();
        return null;
    }
}
