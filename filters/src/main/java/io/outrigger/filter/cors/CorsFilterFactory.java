package io.outrigger.filter.cors;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cors} filter (Envoy's {@code envoy.filters.http.cors}) with Envoy's {@code CorsPolicy} keys, as the
 * listener's {@code config} (optional: without it only routes' and virtual hosts' policies apply) or per route or
 * virtual host in {@code typed_per_filter_config}:
 * <pre>{@code
 * http_filters:
 *   - name: cors
 *     config:
 *       allow_origin_string_match: [ { exact: "https://shop.example" }, { suffix: ".shop.example" } ]
 *       allow_methods: "GET, POST, PUT"
 *       allow_headers: "content-type, x-user-id"
 *       expose_headers: "x-request-id"
 *       max_age: "86400"
 *       allow_credentials: true
 * }</pre>
 */
public final class CorsFilterFactory implements HttpFilterConfigFactory {
    private final CorsFilter.Stats stats = new CorsFilter.Stats(FilterStats.counter("cors.origin_valid"),
            FilterStats.counter("cors.origin_invalid"));

    @Override
    public String name() {
        return CorsFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        CorsPolicy policy = config == null ? null : policy(config);
        if (config != null && policy == null) {
            return null;
        }
        return chain -> chain.addStreamFilter(new CorsFilter(policy, stats));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        return policy(config);
    }

    /** @return the policy, or {@code null} after recording errors */
    static CorsPolicy policy(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<StringMatcher> origins = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode o : m.list("allow_origin_string_match")) {
            StringMatcher sm = StringMatcher.read(o);
            ok &= sm != null;
            if (sm != null) {
                origins.add(sm);
            }
        }
        if (!m.has("allow_origin_string_match")) {
            n.error("missing required key 'allow_origin_string_match' (e.g. [ { exact: \"https://app.example\" } ])");
            ok = false;
        }
        String methods = token(m, "allow_methods");
        String headers = token(m, "allow_headers");
        String expose = token(m, "expose_headers");
        String maxAge = m.string("max_age").orElse(null);
        if (maxAge != null && !maxAge.matches("[0-9]{1,10}")) {
            m.optional("max_age").get().error("'" + maxAge + "' (expected: seconds, e.g. \"86400\")");
            ok = false;
        }
        boolean credentials = m.bool("allow_credentials", false);
        m.finish();
        return ok ? new CorsPolicy(origins, methods, headers, expose, maxAge, credentials) : null;
    }

    // a header value: no CR, LF or NUL
    private static String token(ConfigMap m, String key) {
        String v = m.string(key).orElse(null);
        if (v != null && (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf(0) >= 0)) {
            String shown = v.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0"); // one line in the error
            m.optional(key).get().error("'" + shown + "' (expected: a header value without CR, LF or NUL)");
            return null;
        }
        return v;
    }
}
