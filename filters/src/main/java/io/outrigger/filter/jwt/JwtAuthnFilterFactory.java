package io.outrigger.filter.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The {@code jwt_authn} filter (Envoy's {@code envoy.filters.http.jwt_authn}, its proto's field names):
 * <pre>{@code
 * http_filters:
 *   - name: jwt_authn
 *     config:
 *       providers:
 *         idp:
 *           issuer: https://idp.example
 *           audiences: [shop-api]
 *           remote_jwks: { http_uri: { uri: https://idp.example/.well-known/jwks.json, timeout: 5s }, cache_duration: 600s }
 *           # or local_jwks: { filename: /etc/outrigger/jwks.json } / { inline_string: '{"keys":[...]}' }
 *           from_headers: [ { name: authorization, value_prefix: "Bearer " } ]   # default: this and ?access_token=
 *           from_params: [ token ]
 *           forward: false                           # true: the token goes upstream too
 *           forward_payload_header: x-jwt-payload
 *           payload_in_metadata: payload            # claims for rbac's metadata principals
 *           claim_to_headers: [ { header_name: x-user, claim_name: sub } ]
 *       rules:
 *         - { match: { prefix: /health } }                          # no requirement
 *         - { match: { prefix: /api/ }, requires: { provider_name: idp } }
 *       requirement_map: { optional: { requires_any: { requirements: [ { provider_name: idp }, { allow_missing: {} } ] } } }
 * }</pre>
 * Per route: {@code typed_per_filter_config: { jwt_authn: { requirement_name: optional } }} or {@code { disabled: true }}.
 * Requirements: {@code provider_name}, {@code requires_any}/{@code requires_all: { requirements }}, {@code allow_missing},
 * {@code allow_missing_or_failed}. Remote keys are fetched off the event loops (see {@link JwksSource.Remote}).
 */
public final class JwtAuthnFilterFactory implements HttpFilterConfigFactory {
    private final LongSupplier clockMs;
    private final JwtAuthnConfig.Stats stats = new JwtAuthnConfig.Stats(FilterStats.counter("jwt_authn.allowed"),
            FilterStats.counter("jwt_authn.denied"));
    /** The last parsed config's named requirements, for routes (their entries are parsed after the listener's). */
    private final ThreadLocal<Map<String, Requirement>> lastRequirementMap = ThreadLocal.withInitial(Map::of);

    public JwtAuthnFilterFactory() {
        this(System::currentTimeMillis);
    }

    JwtAuthnFilterFactory(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    @Override
    public String name() {
        return JwtAuthnFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: providers: { NAME: { issuer, local_jwks | remote_jwks } })");
            return null;
        }
        JwtAuthnConfig c = parse(config);
        return c == null ? null : chain -> chain.addDecoderFilter(new JwtAuthnFilter(c, clockMs));
    }

    @Override
    public Object createRouteSpecificConfig(ConfigNode config) {
        ConfigMap m = config.asMap();
        ConfigNode name = m.required("requirement_name").orElse(null);
        m.finish();
        if (name == null) {
            return null;
        }
        String n = name.asString().orElse("");
        Requirement r = lastRequirementMap.get().get(n);
        if (r == null) {
            name.error("'" + n + "' (expected: a name in the jwt_authn filter's requirement_map: "
                    + String.join(", ", lastRequirementMap.get().keySet()) + ")");
        }
        return r;
    }

    JwtAuthnConfig parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        Map<String, JwtProvider> providers = new LinkedHashMap<>();
        ConfigMap pm = m.map("providers");
        for (String name : List.copyOf(pm.keys())) {
            JwtProvider p = provider(name, pm.optional(name).get());
            if (p != null) {
                providers.put(name, p);
            }
        }
        pm.finish();
        if (providers.isEmpty() && !m.has("providers")) {
            config.error("missing required key 'providers'");
        }
        List<JwtAuthnConfig.Rule> rules = new ArrayList<>();
        for (ConfigNode r : m.list("rules")) {
            ConfigMap rm = r.asMap();
            ConfigMap match = rm.map("match");
            String prefix = match.string("prefix").orElse(null);
            String path = match.string("path").orElse(null);
            match.finish();
            if ((prefix == null) == (path == null)) {
                r.error("match needs exactly one of prefix, path");
            }
            Requirement req = rm.optional("requires").map(n -> requirement(n, providers)).orElse(null);
            rm.finish();
            rules.add(new JwtAuthnConfig.Rule(prefix, path, req));
        }
        Map<String, Requirement> named = new LinkedHashMap<>();
        ConfigMap rmap = m.map("requirement_map");
        for (String name : List.copyOf(rmap.keys())) {
            Requirement r = requirement(rmap.optional(name).get(), providers);
            if (r != null) {
                named.put(name, r);
            }
        }
        rmap.finish();
        m.finish();
        lastRequirementMap.set(Map.copyOf(named));
        return new JwtAuthnConfig(providers, rules, named, stats);
    }

    private static JwtProvider provider(String name, ConfigNode n) {
        ConfigMap m = n.asMap();
        String issuer = m.string("issuer").orElse(null);
        List<String> audiences = m.strings("audiences");
        JwksSource jwks = null;
        if (m.has("local_jwks") == m.has("remote_jwks")) {
            n.error("expected exactly one of local_jwks, remote_jwks");
        }
        if (m.has("local_jwks")) {
            jwks = localJwks(m.optional("local_jwks").get());
        }
        if (m.has("remote_jwks")) {
            ConfigMap r = m.map("remote_jwks");
            ConfigMap uriMap = r.map("http_uri");
            ConfigNode uriNode = uriMap.required("uri").orElse(null);
            Duration timeout = uriMap.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1));
            uriMap.optional("cluster"); // Envoy fetches through a cluster; here the sidecar fetches directly
            uriMap.finish();
            Duration cache = r.duration("cache_duration", Duration.ofMinutes(10), Duration.ofSeconds(1));
            r.finish();
            if (uriNode != null) {
                String text = uriNode.asString().orElse("");
                try {
                    URI uri = URI.create(text);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                        throw new IllegalArgumentException("not http or https");
                    }
                    jwks = JwksSource.Remote.of(name, uri, timeout, cache);
                } catch (IllegalArgumentException e) {
                    uriNode.error("'" + text + "' (expected: an http or https URL)");
                }
            }
        }
        List<JwtProvider.HeaderLocation> headers = new ArrayList<>();
        for (ConfigNode h : m.list("from_headers")) {
            ConfigMap hm = h.asMap();
            String hname = hm.requiredString("name").map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
            String prefix = hm.string("value_prefix", "");
            hm.finish();
            if (hname != null) {
                headers.add(new JwtProvider.HeaderLocation(hname, prefix));
            }
        }
        List<String> params = m.strings("from_params");
        boolean forward = m.bool("forward", false);
        String payloadHeader = m.string("forward_payload_header").orElse(null);
        List<JwtProvider.ClaimHeader> claims = new ArrayList<>();
        for (ConfigNode c : m.list("claim_to_headers")) {
            ConfigMap cm = c.asMap();
            String header = cm.requiredString("header_name").orElse(null);
            String claim = cm.requiredString("claim_name").orElse(null);
            cm.finish();
            if (header != null && claim != null) {
                claims.add(new JwtProvider.ClaimHeader(header, claim));
            }
        }
        long skew = m.integer("clock_skew_seconds", 60, 0, 86_400);
        String payloadInMetadata = m.string("payload_in_metadata").orElse(null);
        m.finish();
        return jwks == null ? null : new JwtProvider(name, issuer, audiences, jwks, headers, params, forward, payloadHeader,
                claims, skew, payloadInMetadata);
    }

    private static JwksSource localJwks(ConfigNode n) {
        ConfigMap m = n.asMap();
        String inline = m.string("inline_string").orElse(null);
        ConfigNode file = m.optional("filename").orElse(null);
        m.finish();
        if ((inline == null) == (file == null)) {
            n.error("expected exactly one of filename, inline_string");
            return null;
        }
        String text = inline;
        ConfigNode at = n;
        if (file != null) {
            at = file;
            String name = file.asString().orElse("");
            try {
                text = Files.readString(Path.of(name));
            } catch (IOException e) {
                file.error("cannot read " + name + ": " + e);
                return null;
            }
        }
        try {
            JWKSet set = JWKSet.parse(text);
            if (set.getKeys().isEmpty()) {
                at.error("the JWK set has no keys");
                return null;
            }
            return new JwksSource.Local(set);
        } catch (ParseException e) {
            at.error("not a JWK set (RFC 7517 §5): " + e.getMessage());
            return null;
        }
    }

    private static Requirement requirement(ConfigNode n, Map<String, JwtProvider> providers) {
        ConfigMap m = n.asMap();
        List<String> keys = List.copyOf(m.keys());
        if (keys.size() != 1) {
            n.error("expected exactly one of provider_name, requires_any, requires_all, allow_missing, allow_missing_or_failed");
            keys.forEach(m::optional);
            m.finish();
            return null;
        }
        String kind = keys.get(0);
        ConfigNode v = m.optional(kind).get();
        Requirement r = switch (kind) {
            case "provider_name" -> {
                String name = v.asString().orElse("");
                JwtProvider p = providers.get(name);
                if (p == null) {
                    v.error("'" + name + "' (expected: one of the providers: " + String.join(", ", providers.keySet()) + ")");
                }
                yield p == null ? null : new Requirement.Provider(p);
            }
            case "requires_any", "requires_all" -> {
                ConfigMap rm = v.asMap();
                List<Requirement> subs = new ArrayList<>();
                for (ConfigNode sub : rm.required("requirements").map(ConfigNode::asList).orElse(List.of())) {
                    Requirement s = requirement(sub, providers);
                    if (s != null) {
                        subs.add(s);
                    }
                }
                rm.finish();
                yield kind.equals("requires_any") ? new Requirement.Any(List.copyOf(subs)) : new Requirement.All(List.copyOf(subs));
            }
            case "allow_missing" -> new Requirement.AllowMissing();
            case "allow_missing_or_failed" -> new Requirement.AllowMissingOrFailed();
            default -> {
                v.error("unknown requirement '" + kind + "' (expected: provider_name, requires_any, requires_all, "
                        + "allow_missing, allow_missing_or_failed)");
                yield null;
            }
        };
        if (v.isMap() && (kind.equals("allow_missing") || kind.equals("allow_missing_or_failed"))) {
            v.asMap().finish();
        }
        m.finish();
        return r;
    }
}
