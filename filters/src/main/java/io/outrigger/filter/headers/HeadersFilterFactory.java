package io.outrigger.filter.headers;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code headers} filter:
 * <pre>{@code
 * http_filters:
 *   - name: headers
 *     config:
 *       request_headers_to_add:  { x-env: prod }     # appended
 *       request_headers_to_set:  { x-tier: gold }    # replaces
 *       request_headers_to_remove: [ x-debug ]
 *       response_headers_to_add: { x-served-by: outrigger }
 *       response_headers_to_set: {}
 *       response_headers_to_remove: [ server ]
 * }</pre>
 */
public final class HeadersFilterFactory implements HttpFilterConfigFactory {
    /** Headers that describe the connection or framing; changing them would break the proxy's framing. */
    private static final Set<String> FORBIDDEN = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "content-length");

    private static final Set<String> SECTIONS = Set.of("request_headers_to_add", "request_headers_to_set",
            "request_headers_to_remove", "response_headers_to_add", "response_headers_to_set", "response_headers_to_remove");

    @Override
    public String name() {
        return "headers";
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: request_headers_to_add, ...)");
            return null;
        }
        ConfigMap m = config.asMap();
        HeadersFilterConfig parsed = new HeadersFilterConfig(
                pairs(m, "request_headers_to_add"), pairs(m, "request_headers_to_set"), names(m, "request_headers_to_remove"),
                pairs(m, "response_headers_to_add"), pairs(m, "response_headers_to_set"), names(m, "response_headers_to_remove"));
        boolean anySection = m.keys().stream().anyMatch(SECTIONS::contains);
        m.finish();
        if (!anySection) {
            config.error("no header changes (expected: at least one of request_headers_to_add, ...)");
        }
        return chain -> chain.addStreamFilter(new HeadersFilter(parsed));
    }

    private static List<Map.Entry<String, String>> pairs(ConfigMap m, String key) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        Optional<ConfigNode> node = m.optional(key);
        if (node.isEmpty()) {
            return out;
        }
        ConfigMap pairs = node.get().asMap();
        for (String name : List.copyOf(pairs.keys())) {
            ConfigNode value = pairs.optional(name).orElse(null);
            String lower = name.toLowerCase(Locale.ROOT);
            if (!validName(lower, pairs.keyNode(name))) {
                continue;
            }
            String v = value == null ? "" : value.asString().orElse(null);
            if (v == null) {
                continue;
            }
            if (!validValue(v)) {
                value.error("'" + v + "' (expected: a header value without CR, LF or NUL)");
                continue;
            }
            out.add(Map.entry(lower, v));
        }
        pairs.finish();
        return out;
    }

    private static List<String> names(ConfigMap m, String key) {
        List<String> out = new ArrayList<>();
        for (ConfigNode n : m.list(key)) {
            n.asString().map(s -> s.toLowerCase(Locale.ROOT)).filter(s -> validName(s, n)).ifPresent(out::add);
        }
        return out;
    }

    private static boolean validName(String name, ConfigNode where) {
        if (name.isEmpty() || !name.chars().allMatch(HeadersFilterFactory::isTokenChar)) {
            where.error("'" + name + "' (expected: a header name made of RFC 9110 token characters)");
            return false;
        }
        if (FORBIDDEN.contains(name)) {
            where.error("'" + name + "' (expected: not a connection or framing header; the proxy manages " + name + ")");
            return false;
        }
        return true;
    }

    private static boolean validValue(String v) {
        return v.indexOf('\r') < 0 && v.indexOf('\n') < 0 && v.indexOf('\0') < 0;
    }

    // RFC 9110 §5.6.2 tchar
    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
