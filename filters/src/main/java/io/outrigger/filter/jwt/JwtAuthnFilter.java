package io.outrigger.filter.jwt;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Envoy's JWT authentication on one stream: the requirement of the route ({@code typed_per_filter_config:
 * { jwt_authn: { requirement_name } }}) or of the first matching {@code rules} entry decides which tokens must be
 * present and valid. A request that fails gets 401 with {@code www-authenticate: Bearer} (403 when the token is valid
 * but for another issuer or audience) and is not forwarded; one that passes goes on with the configured claim headers
 * and payload header, and without its tokens unless a provider says {@code forward: true}.
 */
final class JwtAuthnFilter implements StreamDecoderFilter {
    static final String NAME = "jwt_authn";

    /** A requirement's outcome. */
    private enum Status { OK, MISSING, INVALID }

    /** What checking gave: the status, the first error, and the tokens that verified. */
    private record Check(Status status, String error, List<Verified> verified) {
        static final Check MISSING = new Check(Status.MISSING, "Jwt is missing", List.of());
    }

    /** A token that verified, where it came from, and its claims. */
    private record Verified(JwtProvider provider, Location location, JwtVerifier.Result result) {
    }

    /** Where a token was found. */
    private record Location(String header, String param, String token) {
    }

    /** The dynamic metadata namespace of the verified payloads (Envoy's filter name). */
    static final String METADATA_NAMESPACE = "envoy.filters.http.jwt_authn";

    private final JwtAuthnConfig config;
    private final java.util.function.LongSupplier clockMs;
    private StreamDecoderFilterCallbacks callbacks;

    JwtAuthnFilter(JwtAuthnConfig config, java.util.function.LongSupplier clockMs) {
        this.config = config;
        this.clockMs = clockMs;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        Requirement req = requirementFor(request);
        if (req == null) {
            return FilterHeadersStatus.CONTINUE;
        }
        Check c = check(req, request);
        if (c.status() == Status.OK) {
            config.stats().allowed().increment();
            apply(c.verified(), request);
            for (Verified v : c.verified()) {
                if (v.provider().payloadInMetadata() != null) {
                    callbacks.setDynamicMetadata(METADATA_NAMESPACE, v.provider().payloadInMetadata(),
                            v.result().claims().toJSONObject());
                }
            }
            return FilterHeadersStatus.CONTINUE;
        }
        config.stats().denied().increment();
        boolean forbidden = c.error().startsWith("Audiences") || c.error().startsWith("Jwt issuer");
        String realm = "http://" + request.headers().get(HttpHeaderNames.HOST, "") + pathOf(request.uri());
        String challenge = "Bearer realm=\"" + realm + "\"" + (c.status() == Status.INVALID ? ", error=\"invalid_token\"" : "");
        callbacks.sendLocalReply(forbidden ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.UNAUTHORIZED, c.error(),
                ResponseFlag.JWT_AUTHN_FAILED, h -> h.set(HttpHeaderNames.WWW_AUTHENTICATE, challenge));
        return FilterHeadersStatus.STOP_ITERATION;
    }

    private Requirement requirementFor(HttpRequest request) {
        Object route = callbacks.routeSpecificConfig(NAME);
        if (route instanceof Requirement r) {
            return r;
        }
        String path = pathOf(request.uri());
        for (JwtAuthnConfig.Rule rule : config.rules()) {
            if (rule.matches(path)) {
                return rule.requires();
            }
        }
        return null;
    }

    private Check check(Requirement r, HttpRequest request) {
        if (r instanceof Requirement.Provider p) {
            return checkProvider(p.provider(), request);
        }
        if (r instanceof Requirement.Any any) {
            Check firstInvalid = null;
            for (Requirement sub : any.requirements()) {
                Check c = check(sub, request);
                if (c.status() == Status.OK) {
                    return c;
                }
                if (c.status() == Status.INVALID && firstInvalid == null) {
                    firstInvalid = c;
                }
            }
            return firstInvalid != null ? firstInvalid : Check.MISSING;
        }
        if (r instanceof Requirement.All all) {
            List<Verified> verified = new ArrayList<>();
            for (Requirement sub : all.requirements()) {
                Check c = check(sub, request);
                if (c.status() != Status.OK) {
                    return c;
                }
                verified.addAll(c.verified());
            }
            return new Check(Status.OK, null, verified);
        }
        return checkPresent(request, r instanceof Requirement.AllowMissingOrFailed);
    }

    private Check checkProvider(JwtProvider p, HttpRequest request) {
        Location loc = extract(p, request);
        if (loc == null) {
            return Check.MISSING;
        }
        JwtVerifier.Result result = JwtVerifier.verify(loc.token(), p, clockMs.getAsLong());
        return result.ok() ? new Check(Status.OK, null, List.of(new Verified(p, loc, result)))
                : new Check(Status.INVALID, result.error(), List.of());
    }

    /** Every provider's token that is present is verified; failures fail unless {@code failedIsFine}. */
    private Check checkPresent(HttpRequest request, boolean failedIsFine) {
        List<Verified> verified = new ArrayList<>();
        for (JwtProvider p : config.providers().values()) {
            Check c = checkProvider(p, request);
            if (c.status() == Status.INVALID && !failedIsFine) {
                return c;
            }
            verified.addAll(c.verified());
        }
        return new Check(Status.OK, null, verified);
    }

    private static Location extract(JwtProvider p, HttpRequest request) {
        HttpHeaders h = request.headers();
        if (p.fromHeaders().isEmpty() && p.fromParams().isEmpty()) {
            String auth = h.get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Location(HttpHeaderNames.AUTHORIZATION.toString(), null, auth.substring(7).trim());
            }
            String token = param(request, "access_token");
            return token == null ? null : new Location(null, "access_token", token);
        }
        for (JwtProvider.HeaderLocation hl : p.fromHeaders()) {
            String v = h.get(hl.name());
            if (v != null && v.startsWith(hl.valuePrefix())) {
                return new Location(hl.name(), null, v.substring(hl.valuePrefix().length()).trim());
            }
        }
        for (String name : p.fromParams()) {
            String token = param(request, name);
            if (token != null) {
                return new Location(null, name, token);
            }
        }
        return null;
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static String param(HttpRequest request, String name) {
        if (request.uri().indexOf('?') < 0) {
            return null;
        }
        List<String> v = new QueryStringDecoder(request.uri()).parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The upstream request after verification: tokens removed unless forwarded, claims and payload added. */
    private static void apply(List<Verified> verified, HttpRequest request) {
        HttpHeaders h = request.headers();
        for (Verified v : verified) {
            JwtProvider p = v.provider();
            for (JwtProvider.ClaimHeader ch : p.claimToHeaders()) {
                Object claim = v.result().claims().getClaim(ch.claimName());
                if (claim != null) {
                    h.set(ch.headerName(), claim instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                            : String.valueOf(claim));
                }
            }
            if (p.forwardPayloadHeader() != null) {
                h.set(p.forwardPayloadHeader(), v.result().payload());
            }
            if (!p.forward()) {
                Location loc = v.location();
                if (loc.header() != null) {
                    h.remove(loc.header());
                } else {
                    request.setUri(withoutParam(request.uri(), loc.param()));
                }
            }
        }
    }

    private static String withoutParam(String uri, String name) {
        QueryStringDecoder d = new QueryStringDecoder(uri);
        QueryStringEncoder e = new QueryStringEncoder(d.rawPath());
        for (Map.Entry<String, List<String>> p : d.parameters().entrySet()) {
            if (!p.getKey().equals(name)) {
                for (String value : p.getValue()) {
                    e.addParam(p.getKey(), value);
                }
            }
        }
        return e.toString();
    }
}
