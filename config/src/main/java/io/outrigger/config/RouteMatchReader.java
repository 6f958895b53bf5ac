package io.outrigger.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a route's {@code match}: one path condition ({@code prefix}, {@code path}, {@code safe_regex},
 * {@code connect_matcher}), {@code headers}, {@code query_parameters}, {@code case_sensitive}; and Envoy's
 * {@code StringMatcher}. Errors are recorded on the nodes, with their line and column.
 */
final class RouteMatchReader {
    private RouteMatchReader() {
    }

    static RouteMatch match(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<RouteMatch.PathKind> kinds = new ArrayList<>();
        String value = null;
        Pattern regex = null;
        Optional<String> prefix = m.string("prefix");
        Optional<String> path = m.string("path");
        if (prefix.isPresent()) {
            kinds.add(RouteMatch.PathKind.PREFIX);
            value = prefix.get();
        }
        if (path.isPresent()) {
            kinds.add(RouteMatch.PathKind.PATH);
            value = path.get();
        }
        Optional<ConfigNode> re = m.optional("safe_regex");
        if (re.isPresent()) {
            kinds.add(RouteMatch.PathKind.SAFE_REGEX);
            ConfigNode rn = regexNode(re.get());
            value = rn == null ? null : rn.asString().orElse(null);
            regex = rn == null ? null : compile(rn, value);
        }
        Optional<ConfigNode> connect = m.optional("connect_matcher");
        if (connect.isPresent()) {
            kinds.add(RouteMatch.PathKind.CONNECT);
            value = "";
            connect.get().asMap().finish(); // {}: nothing to configure
        }
        List<HeaderMatcher> headers = new ArrayList<>();
        for (ConfigNode h : m.list("headers")) {
            HeaderMatcher hm = headerMatcher(h);
            if (hm != null) {
                headers.add(hm);
            }
        }
        List<QueryParameterMatcher> queryParameters = new ArrayList<>();
        for (ConfigNode q : m.list("query_parameters")) {
            QueryParameterMatcher qm = queryParameterMatcher(q);
            if (qm != null) {
                queryParameters.add(qm);
            }
        }
        boolean caseSensitive = m.bool("case_sensitive", true);
        m.finish();
        if (kinds.size() != 1) {
            n.error(kinds.isEmpty() ? "missing path condition (expected: one of prefix, path, safe_regex, connect_matcher)"
                    : "more than one path condition (expected: one of prefix, path, safe_regex, connect_matcher)");
            return null;
        }
        RouteMatch.PathKind kind = kinds.get(0);
        if (value == null || kind == RouteMatch.PathKind.SAFE_REGEX && regex == null) {
            return null;
        }
        if ((kind == RouteMatch.PathKind.PREFIX || kind == RouteMatch.PathKind.PATH) && !value.startsWith("/")) {
            m.optional(kind == RouteMatch.PathKind.PREFIX ? "prefix" : "path").ifPresent(
                    v -> v.error("'" + v.asString().orElse("") + "' (expected: a path starting with '/')"));
            return null;
        }
        if (!caseSensitive && (kind == RouteMatch.PathKind.PREFIX || kind == RouteMatch.PathKind.PATH)) {
            value = value.toLowerCase(Locale.ROOT);
        }
        return new RouteMatch(kind, value, regex, headers, queryParameters, caseSensitive);
    }

    /** Accepts Envoy's {@code safe_regex: { regex: "..." }} and the shorter {@code safe_regex: "..."}; returns the string's node. */
    static ConfigNode regexNode(ConfigNode n) {
        if (n.isMap()) {
            ConfigMap m = n.asMap();
            ConfigNode r = m.required("regex").orElse(null);
            m.finish();
            return r;
        }
        return n;
    }

    static Pattern compile(ConfigNode n, String source) {
        if (source == null) {
            return null;
        }
        try {
            return Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            n.error("'" + source + "' (expected: an RE2 regular expression: " + e.getDescription() + ")");
            return null;
        }
    }

    /**
     * Envoy's {@code HeaderMatcher}: {@code { name, exact | prefix | suffix | contains | safe_regex | present,
     * invert_match }}; no condition means present.
     *
     * @return {@code null} after recording errors on the node
     */
    static HeaderMatcher headerMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        String name = m.requiredString("name").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        boolean invert = m.bool("invert_match", false);
        List<HeaderMatcher> found = new ArrayList<>();
        for (HeaderMatcher.Kind kind : HeaderMatcher.Kind.values()) {
            String key = kind.name().toLowerCase(Locale.ROOT);
            Optional<ConfigNode> v = m.optional(key);
            if (v.isEmpty()) {
                continue;
            }
            if (kind == HeaderMatcher.Kind.PRESENT) {
                boolean present = v.get().asBoolean().orElse(true);
                found.add(new HeaderMatcher(name, kind, Boolean.toString(present), null, invert));
            } else if (kind == HeaderMatcher.Kind.SAFE_REGEX) {
                ConfigNode rn = regexNode(v.get());
                String src = rn == null ? null : rn.asString().orElse(null);
                Pattern p = rn == null ? null : compile(rn, src);
                if (p != null) {
                    found.add(new HeaderMatcher(name, kind, src, p, invert));
                }
            } else {
                v.get().asString().ifPresent(s -> found.add(new HeaderMatcher(name, kind, s, null, invert)));
            }
        }
        m.finish();
        if (found.size() > 1) {
            n.error("more than one header condition (expected: one of exact, prefix, suffix, contains, safe_regex, present)");
            return null;
        }
        if (name == null) {
            return null;
        }
        // Envoy: a matcher with no condition checks that the header is present.
        return found.isEmpty() ? new HeaderMatcher(name, HeaderMatcher.Kind.PRESENT, "true", null, invert) : found.get(0);
    }

    /** {@code { name, string_match: { exact | prefix | suffix | contains | safe_regex, ignore_case } | present_match }}. */
    private static QueryParameterMatcher queryParameterMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        Optional<String> name = m.requiredString("name");
        Optional<ConfigNode> sm = m.optional("string_match");
        boolean present = m.bool("present_match", false);
        m.finish();
        if (sm.isPresent() == present) {
            n.error("expected exactly one of string_match, present_match: true");
            return null;
        }
        StringMatcher match = sm.map(RouteMatchReader::stringMatcher).orElse(null);
        if (name.isEmpty() || sm.isPresent() && match == null) {
            return null;
        }
        return new QueryParameterMatcher(name.get(), match);
    }

    /** Envoy's {@code StringMatcher}: one of exact, prefix, suffix, contains, safe_regex; plus ignore_case. */
    static StringMatcher stringMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        boolean ignoreCase = m.bool("ignore_case", false);
        List<StringMatcher> found = new ArrayList<>();
        for (StringMatcher.Kind kind : StringMatcher.Kind.values()) {
            Optional<ConfigNode> v = m.optional(kind.name().toLowerCase(Locale.ROOT));
            if (v.isEmpty()) {
                continue;
            }
            if (kind == StringMatcher.Kind.SAFE_REGEX) {
                ConfigNode rn = regexNode(v.get());
                String src = rn == null ? null : rn.asString().orElse(null);
                Pattern p = rn == null ? null : compile(rn, src);
                if (p != null) {
                    found.add(new StringMatcher(kind, src, p, false));
                }
            } else {
                v.get().asString().ifPresent(s -> found.add(new StringMatcher(kind,
                        ignoreCase ? s.toLowerCase(Locale.ROOT) : s, null, ignoreCase)));
            }
        }
        m.finish();
        if (found.size() != 1) {
            n.error((found.isEmpty() ? "no condition" : "more than one condition")
                    + " (expected: one of exact, prefix, suffix, contains, safe_regex)");
            return null;
        }
        return found.get(0);
    }
}
