package io.outrigger.filter.rbac;

import io.outrigger.config.CidrRange;
import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.HeaderMatcher;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code rbac} filter (Envoy's {@code envoy.filters.http.rbac}, its {@code RBAC} proto's field names):
 * <pre>{@code
 * http_filters:
 *   - name: rbac
 *     config:
 *       rules:                                    # enforced; absent: nothing is enforced
 *         action: ALLOW                           # ALLOW (default) or DENY
 *         policies:
 *           frontend-reads:
 *             permissions: [ { and_rules: { rules: [ { header: { name: ":method", exact: GET } },
 *                                                    { url_path: { path: { prefix: /api/ } } } ] } } ]
 *             principals:  [ { authenticated: { principal_name: { prefix: "spiffe://shop/frontend" } } } ]
 *       shadow_rules: { action: DENY, policies: {...} }    # evaluated, counted and logged only
 * }</pre>
 * Permissions: {@code any}, {@code header} (Envoy's HeaderMatcher; {@code :method}, {@code :path}, {@code :authority}
 * are the request line's), {@code url_path: { path: StringMatcher }}, {@code destination_port},
 * {@code destination_ip: { address_prefix, prefix_len }}, {@code and_rules}/{@code or_rules: { rules }},
 * {@code not_rule}. Principals: {@code any}, {@code authenticated: { principal_name }} (the mTLS client certificate's
 * URI SAN, else DNS SAN, else subject), {@code direct_remote_ip}/{@code remote_ip} (the connection's peer),
 * {@code header}, {@code and_ids}/{@code or_ids: { ids }}, {@code not_id}. Per route or virtual host:
 * {@code typed_per_filter_config: { rbac: { rbac: { rules, shadow_rules } } }} (Envoy's {@code RBACPerRoute}) replaces
 * the listener's. Counters {@code rbac.allowed}, {@code rbac.denied}, {@code rbac.shadow_allowed},
 * {@code rbac.shadow_denied} (Envoy's names). {@code metadata} principals match the stream's dynamic metadata, e.g. the
 * claims {@code jwt_authn} records with {@code payload_in_metadata}.
 */
public final class RbacFilterFactory implements HttpFilterConfigFactory {
    /** Envoy's counters. */
    record Stats(LongAdder allowed, LongAdder denied, LongAdder shadowAllowed, LongAdder shadowDenied) {
    }

    /**
     * One set of settings: the listener's, or a route's.
     *
     * @param rules       enforced, or {@code null}
     * @param shadowRules logged only, or {@code null}
     */
    record Settings(RbacRules rules, RbacRules shadowRules, Stats stats) {
    }

    private final Stats stats = new Stats(FilterStats.counter("rbac.allowed"), FilterStats.counter("rbac.denied"),
            FilterStats.counter("rbac.shadow_allowed"), FilterStats.counter("rbac.shadow_denied"));

    @Override
    public String name() {
        return RbacFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        Settings s = config == null ? new Settings(null, null, stats) : settings(config);
        return s == null ? null : chain -> chain.addDecoderFilter(new RbacFilter(s));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        ConfigMap m = config.asMap();
        ConfigNode rbac = m.required("rbac").orElse(null);
        m.finish();
        return rbac == null ? null : settings(rbac);
    }

    /** Errors go on the nodes (the config then fails to load as a whole), so the result is never used after one. */
    private Settings settings(ConfigNode n) {
        ConfigMap m = n.asMap();
        RbacRules rules = m.optional("rules").map(RbacFilterFactory::rules).orElse(null);
        RbacRules shadow = m.optional("shadow_rules").map(RbacFilterFactory::rules).orElse(null);
        m.finish();
        return new Settings(rules, shadow, stats);
    }

    private static final Map<String, RbacRules.Action> ACTIONS = new LinkedHashMap<>();

    static {
        ACTIONS.put("ALLOW", RbacRules.Action.ALLOW);
        ACTIONS.put("DENY", RbacRules.Action.DENY);
    }

    private static RbacRules rules(ConfigNode n) {
        ConfigMap m = n.asMap();
        RbacRules.Action action = m.oneOf("action", ACTIONS, RbacRules.Action.ALLOW);
        Map<String, RbacRules.Policy> policies = new LinkedHashMap<>();
        ConfigMap pm = m.map("policies");
        for (String name : List.copyOf(pm.keys())) {
            pm.optional(name).map(RbacFilterFactory::policy).ifPresent(p -> policies.put(name, p));
        }
        pm.finish();
        m.finish();
        return new RbacRules(action, policies);
    }

    private static RbacRules.Policy policy(ConfigNode n) {
        ConfigMap m = n.asMap();
        List<RbacRules.Permission> permissions = new ArrayList<>();
        for (ConfigNode p : m.required("permissions").map(ConfigNode::asList).orElse(List.of())) {
            RbacRules.Permission parsed = permission(p);
            if (parsed != null) {
                permissions.add(parsed);
            }
        }
        List<RbacRules.Principal> principals = new ArrayList<>();
        for (ConfigNode p : m.required("principals").map(ConfigNode::asList).orElse(List.of())) {
            RbacRules.Principal parsed = principal(p);
            if (parsed != null) {
                principals.add(parsed);
            }
        }
        m.finish();
        return new RbacRules.Policy(permissions, principals);
    }

    private static final String PERMISSION_KINDS =
            "any, header, url_path, destination_port, destination_ip, and_rules, or_rules, not_rule";
    private static final String PRINCIPAL_KINDS =
            "any, authenticated, direct_remote_ip, remote_ip, header, metadata, and_ids, or_ids, not_id";

    private static RbacRules.Permission permission(ConfigNode n) {
        ConfigMap m = n.asMap();
        String kind = onlyKey(n, m, PERMISSION_KINDS);
        if (kind == null) {
            return null;
        }
        ConfigNode v = m.optional(kind).get();
        RbacRules.Permission p = switch (kind) {
            case "any" -> v.asBoolean().orElse(false) ? new RbacRules.AnyPermission() : invalid(v, "any: true");
            case "header" -> map(HeaderMatcher.read(v), RbacRules.HeaderPermission::new);
            case "url_path" -> {
                ConfigMap um = v.asMap();
                StringMatcher path = um.required("path").map(StringMatcher::read).orElse(null);
                um.finish();
                yield map(path, RbacRules.UrlPathPermission::new);
            }
            case "destination_port" -> map(v.asLong(0, 65535).orElse(null),
                    port -> new RbacRules.DestinationPortPermission(port.intValue()));
            case "destination_ip" -> map(cidr(v), RbacRules.DestinationIpPermission::new);
            case "and_rules", "or_rules" -> {
                ConfigMap rm = v.asMap();
                List<RbacRules.Permission> rules = new ArrayList<>();
                for (ConfigNode r : rm.required("rules").map(ConfigNode::asList).orElse(List.of())) {
                    RbacRules.Permission parsed = permission(r);
                    if (parsed != null) {
                        rules.add(parsed);
                    }
                }
                rm.finish();
                yield kind.equals("and_rules") ? new RbacRules.AndPermission(List.copyOf(rules))
                        : new RbacRules.OrPermission(List.copyOf(rules));
            }
            case "not_rule" -> map(permission(v), RbacRules.NotPermission::new);
            default -> null;
        };
        m.finish();
        return p;
    }

    private static RbacRules.Principal principal(ConfigNode n) {
        ConfigMap m = n.asMap();
        String kind = onlyKey(n, m, PRINCIPAL_KINDS);
        if (kind == null) {
            return null;
        }
        ConfigNode v = m.optional(kind).get();
        RbacRules.Principal p = switch (kind) {
            case "any" -> v.asBoolean().orElse(false) ? new RbacRules.AnyPrincipal() : invalid(v, "any: true");
            case "authenticated" -> {
                ConfigMap am = v.asMap();
                StringMatcher name = am.optional("principal_name").map(StringMatcher::read).orElse(null);
                boolean bad = am.has("principal_name") && name == null;
                am.finish();
                yield bad ? null : new RbacRules.AuthenticatedPrincipal(name);
            }
            case "direct_remote_ip", "remote_ip" -> map(cidr(v), RbacRules.RemoteIpPrincipal::new);
            case "header" -> map(HeaderMatcher.read(v), RbacRules.HeaderPrincipal::new);
            case "metadata" -> metadata(v);
            case "and_ids", "or_ids" -> {
                ConfigMap im = v.asMap();
                List<RbacRules.Principal> ids = new ArrayList<>();
                for (ConfigNode r : im.required("ids").map(ConfigNode::asList).orElse(List.of())) {
                    RbacRules.Principal parsed = principal(r);
                    if (parsed != null) {
                        ids.add(parsed);
                    }
                }
                im.finish();
                yield kind.equals("and_ids") ? new RbacRules.AndIds(List.copyOf(ids)) : new RbacRules.OrIds(List.copyOf(ids));
            }
            case "not_id" -> map(principal(v), RbacRules.NotId::new);
            default -> null;
        };
        m.finish();
        return p;
    }

    /**
     * Envoy's {@code MetadataMatcher}: {@code { filter, path: [ { key } ], value: ValueMatcher, invert }};
     * {@code filter: jwt_authn} is taken as {@code envoy.filters.http.jwt_authn}.
     */
    private static RbacRules.Principal metadata(ConfigNode n) {
        ConfigMap m = n.asMap();
        String filter = m.requiredString("filter").orElse(null);
        List<String> path = new ArrayList<>();
        for (ConfigNode seg : m.required("path").map(ConfigNode::asList).orElse(List.of())) {
            ConfigMap sm = seg.asMap();
            sm.requiredString("key").ifPresent(path::add);
            sm.finish();
        }
        RbacRules.ValueMatcher value = m.required("value").map(RbacFilterFactory::valueMatcher).orElse(null);
        boolean invert = m.bool("invert", false);
        ConfigNode pathNode = m.optional("path").orElse(null);
        m.finish();
        if (pathNode != null && path.isEmpty()) {
            pathNode.error("expected at least one { key: NAME }");
            return null;
        }
        if (filter == null || value == null || path.isEmpty()) {
            return null;
        }
        String namespace = filter.equals("jwt_authn") ? "envoy.filters.http.jwt_authn" : filter;
        return new RbacRules.MetadataPrincipal(namespace, List.copyOf(path), value, invert);
    }

    private static final String VALUE_KINDS = "string_match, bool_match, present_match, list_match";

    /** Envoy's {@code ValueMatcher} (the kinds a JWT claim needs). */
    private static RbacRules.ValueMatcher valueMatcher(ConfigNode n) {
        ConfigMap m = n.asMap();
        String kind = onlyKey(n, m, VALUE_KINDS);
        if (kind == null) {
            return null;
        }
        ConfigNode v = m.optional(kind).get();
        RbacRules.ValueMatcher out = switch (kind) {
            case "string_match" -> map(StringMatcher.read(v), RbacRules.StringValue::new);
            case "bool_match" -> map(v.asBoolean().orElse(null), RbacRules.BoolValue::new);
            case "present_match" -> map(v.asBoolean().orElse(null), RbacRules.PresentValue::new);
            case "list_match" -> {
                ConfigMap lm = v.asMap();
                RbacRules.ValueMatcher one = lm.required("one_of").map(RbacFilterFactory::valueMatcher).orElse(null);
                lm.finish();
                yield map(one, RbacRules.ListOneOf::new);
            }
            default -> null;
        };
        if (out == null && (kind.equals("bool_match") || kind.equals("present_match")) && v.asBoolean().isEmpty()) {
            v.error("expected true or false");
        }
        m.finish();
        return out;
    }

    /** The one key of a permission or principal; {@code null} after an error. */
    private static String onlyKey(ConfigNode n, ConfigMap m, String kinds) {
        List<String> keys = List.copyOf(m.keys());
        if (keys.size() != 1 || !List.of(kinds.split(", ")).contains(keys.get(0))) {
            n.error("expected exactly one of " + kinds + (keys.isEmpty() ? "" : " (found: " + String.join(", ", keys) + ")"));
            keys.forEach(m::optional); // read: not reported again as unknown
            m.finish();
            return null;
        }
        return keys.get(0);
    }

    /** Envoy's {@code CidrRange}: {@code { address_prefix, prefix_len }} (or the text {@code 10.0.0.0/8}). */
    private static RbacRules.Cidr cidr(ConfigNode n) {
        if (n.isScalar()) {
            String text = n.asString().get();
            CidrRange r = CidrRange.parse(text.trim());
            if (r == null) {
                n.error("'" + text + "' (expected: an IP range such as 10.0.0.0/8)");
                return null;
            }
            return RbacRules.Cidr.of(r);
        }
        ConfigMap m = n.asMap();
        String prefix = m.requiredString("address_prefix").orElse(null);
        int len = (int) m.integer("prefix_len", prefix != null && prefix.indexOf(':') >= 0 ? 128 : 32, 0, 128);
        m.finish();
        if (prefix == null) {
            return null;
        }
        CidrRange r = CidrRange.parse(prefix.trim() + "/" + len);
        if (r == null) {
            n.error("'" + prefix + "/" + len + "' (expected: an IP address prefix and a prefix_len that fits it)");
            return null;
        }
        return RbacRules.Cidr.of(r);
    }

    private static <T> T invalid(ConfigNode n, String expected) {
        n.error("expected " + expected);
        return null;
    }

    private static <A, T> T map(A value, java.util.function.Function<A, T> f) {
        return value == null ? null : f.apply(value);
    }
}
