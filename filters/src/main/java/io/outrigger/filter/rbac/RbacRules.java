package io.outrigger.filter.rbac;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.outrigger.config.CidrRange;
import io.outrigger.config.HeaderMatcher;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.StreamInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Envoy's {@code config.rbac.v3.RBAC}: an action and named policies. A policy matches when any of its permissions
 * matches the request and any of its principals matches the caller; with {@code ALLOW} a request passes only when some
 * policy matches, with {@code DENY} it is refused when one does. Immutable; evaluated per request on its event loop.
 *
 * @param action   what a match means
 * @param policies by name, in config order (the first match is the one reported)
 */
record RbacRules(Action action, Map<String, Policy> policies) {
    /** Envoy's {@code RBAC.Action}. */
    enum Action { ALLOW, DENY }

    /** The outcome for one request. */
    record Decision(boolean allowed, String matchedPolicy) {
    }

    RbacRules {
        policies = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(policies));
    }

    Decision evaluate(HttpRequest request, StreamInfo info) {
        for (Map.Entry<String, Policy> p : policies.entrySet()) {
            if (p.getValue().matches(request, info)) {
                return new Decision(action == Action.ALLOW, p.getKey());
            }
        }
        return new Decision(action == Action.DENY, null);
    }

    /** Envoy's {@code Policy}: any permission and any principal. */
    record Policy(List<Permission> permissions, List<Principal> principals) {
        Policy {
            permissions = List.copyOf(permissions);
            principals = List.copyOf(principals);
        }

        boolean matches(HttpRequest r, StreamInfo info) {
            return anyPermission(permissions, r, info) && anyPrincipal(principals, r, info);
        }
    }

    /** What the request does (Envoy's {@code Permission}). */
    sealed interface Permission {
        boolean matches(HttpRequest r, StreamInfo info);
    }

    record AnyPermission() implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return true;
        }
    }

    record HeaderPermission(HeaderMatcher header) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return header.matches(headerValue(r, header.name()));
        }
    }

    /** {@code url_path: { path: StringMatcher }}: the path without its query. */
    record UrlPathPermission(StringMatcher path) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return path.matches(pathOf(r));
        }
    }

    record DestinationPortPermission(int port) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return info.downstreamLocalAddress() instanceof InetSocketAddress a && a.getPort() == port;
        }
    }

    record DestinationIpPermission(Cidr range) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return range.contains(info.downstreamLocalAddress());
        }
    }

    record AndPermission(List<Permission> rules) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            for (Permission p : rules) {
                if (!p.matches(r, info)) {
                    return false;
                }
            }
            return true;
        }
    }

    record OrPermission(List<Permission> rules) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return anyPermission(rules, r, info);
        }
    }

    record NotPermission(Permission rule) implements Permission {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return !rule.matches(r, info);
        }
    }

    /** Who the caller is (Envoy's {@code Principal}). */
    sealed interface Principal {
        boolean matches(HttpRequest r, StreamInfo info);
    }

    record AnyPrincipal() implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return true;
        }
    }

    /**
     * {@code authenticated: { principal_name }}: the verified client certificate's URI SAN, else DNS SAN, else subject
     * (Envoy's order) matches; without {@code principal_name} any verified client certificate does.
     */
    record AuthenticatedPrincipal(StringMatcher principalName) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            X509Certificate cert = info.downstreamPeerCertificate();
            if (cert == null) {
                return false;
            }
            if (principalName == null) {
                return true;
            }
            List<String> uris = sans(cert, 6);
            if (!uris.isEmpty()) {
                return uris.stream().anyMatch(principalName::matches);
            }
            List<String> dns = sans(cert, 2);
            if (!dns.isEmpty()) {
                return dns.stream().anyMatch(principalName::matches);
            }
            return principalName.matches(cert.getSubjectX500Principal().getName());
        }
    }

    /** {@code direct_remote_ip} and {@code remote_ip}: the downstream connection's peer address. */
    record RemoteIpPrincipal(Cidr range) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return range.contains(info.downstreamRemoteAddress());
        }
    }

    record HeaderPrincipal(HeaderMatcher header) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return header.matches(headerValue(r, header.name()));
        }
    }

    record AndIds(List<Principal> ids) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            for (Principal p : ids) {
                if (!p.matches(r, info)) {
                    return false;
                }
            }
            return true;
        }
    }

    record OrIds(List<Principal> ids) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return anyPrincipal(ids, r, info);
        }
    }

    record NotId(Principal id) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            return !id.matches(r, info);
        }
    }

    /**
     * {@code metadata}: Envoy's {@code MetadataMatcher} over the stream's dynamic metadata — {@code filter} (the
     * namespace, e.g. {@code envoy.filters.http.jwt_authn}), {@code path} (keys into nested maps), {@code value}, and
     * {@code invert}. How an Istio {@code request.auth.claims[...]} rule reaches a JWT claim.
     */
    record MetadataPrincipal(String filter, List<String> path, ValueMatcher value, boolean invert) implements Principal {
        public boolean matches(HttpRequest r, StreamInfo info) {
            Object v = info.dynamicMetadata(filter);
            for (String key : path) {
                v = v instanceof Map<?, ?> m ? m.get(key) : null;
            }
            return value.matches(v) != invert;
        }
    }

    /** Envoy's {@code ValueMatcher}: what a metadata value must be. */
    sealed interface ValueMatcher {
        boolean matches(Object value);
    }

    /** {@code string_match}: a string value the matcher accepts. */
    record StringValue(StringMatcher match) implements ValueMatcher {
        public boolean matches(Object value) {
            return value instanceof String s && match.matches(s);
        }
    }

    /** {@code bool_match}. */
    record BoolValue(boolean expected) implements ValueMatcher {
        public boolean matches(Object value) {
            return value instanceof Boolean b && b == expected;
        }
    }

    /** {@code present_match: true}: any value; {@code false}: none. */
    record PresentValue(boolean present) implements ValueMatcher {
        public boolean matches(Object value) {
            return (value != null) == present;
        }
    }

    /** {@code list_match: { one_of }}: a list with an element {@code oneOf} accepts (JWT {@code aud}, {@code groups}). */
    record ListOneOf(ValueMatcher oneOf) implements ValueMatcher {
        public boolean matches(Object value) {
            if (value instanceof Collection<?> list) {
                for (Object e : list) {
                    if (oneOf.matches(e)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** An address range, matched with Netty's {@link IpSubnetFilterRule}. */
    record Cidr(CidrRange range, IpSubnetFilterRule rule) {
        static Cidr of(CidrRange range) {
            return new Cidr(range, new IpSubnetFilterRule(range.addressPrefix(), range.prefixLen(), IpFilterRuleType.ACCEPT));
        }

        boolean contains(SocketAddress a) {
            return a instanceof InetSocketAddress isa && isa.getAddress() != null && rule.matches(isa);
        }
    }

    private static boolean anyPermission(List<Permission> ps, HttpRequest r, StreamInfo info) {
        for (Permission p : ps) {
            if (p.matches(r, info)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyPrincipal(List<Principal> ps, HttpRequest r, StreamInfo info) {
        for (Principal p : ps) {
            if (p.matches(r, info)) {
                return true;
            }
        }
        return false;
    }

    /** A header's value as Envoy's header matchers see it; the pseudo-headers are the request line's parts. */
    static String headerValue(HttpRequest r, String name) {
        return switch (name) {
            case ":path" -> r.uri();
            case ":method" -> r.method().name();
            case ":authority" -> r.headers().get("host");
            default -> {
                List<String> all = r.headers().getAll(name);
                yield all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(",", all); // Envoy joins
            }
        };
    }

    static String pathOf(HttpRequest r) {
        String uri = r.uri();
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** Subject alternative names of one type (RFC 5280 §4.2.1.6: 2 DNS, 6 URI). */
    private static List<String> sans(X509Certificate cert, int type) {
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            return all.stream().filter(e -> e.size() >= 2 && Integer.valueOf(type).equals(e.get(0)))
                    .map(e -> String.valueOf(e.get(1))).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
