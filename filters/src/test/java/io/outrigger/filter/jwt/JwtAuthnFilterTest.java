package io.outrigger.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** jwt_authn: requirements, verification outcomes and what the upstream gets, with tokens signed by Nimbus. */
class JwtAuthnFilterTest {
    static RSAKey key;
    static RSAKey otherKey;
    static final long NOW = 1_800_000_000_000L;

    @BeforeAll
    static void keys() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate(); // same kid, another key
    }

    static String token(RSAKey signer, String issuer, String audience, long expiresMs, String subject) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
                .claim("groups", List.of("admin", "ops")).expirationTime(new Date(expiresMs)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    static String valid() throws Exception {
        return token(key, "https://idp.test", "shop", NOW + 60_000, "alice");
    }

    private JwtAuthnConfig parse(String yaml) throws ConfigException {
        String jwks = new JWKSet(key.toPublicJWK()).toString().replace("'", "''");
        return new ConfigLoader(n -> null).read("j.yaml", yaml.replace("JWKS", "'" + jwks + "'"), "empty",
                new JwtAuthnFilterFactory(() -> NOW)::parse);
    }

    private List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    static final String CONFIG = """
            providers:
              idp:
                issuer: https://idp.test
                audiences: [shop]
                local_jwks: { inline_string: JWKS }
                claim_to_headers: [ { header_name: x-user, claim_name: sub }, { header_name: x-groups, claim_name: groups } ]
            rules:
              - { match: { prefix: /public } }
              - { match: { prefix: /optional }, requires: { requires_any: { requirements: [ { provider_name: idp }, { allow_missing: {} } ] } } }
              - { match: { prefix: / }, requires: { provider_name: idp } }
            """;

    /** Runs one request through the filter: "pass", or "STATUS body | www-authenticate". */
    private String run(JwtAuthnConfig c, HttpRequest r) {
        Callbacks cb = new Callbacks();
        JwtAuthnFilter f = new JwtAuthnFilter(c, () -> NOW);
        f.setDecoderFilterCallbacks(cb);
        FilterHeadersStatus s = f.decodeHeaders(r, true);
        if (s == FilterHeadersStatus.CONTINUE) {
            assertThat(cb.status).isNull();
            return "pass";
        }
        assertThat(cb.flag).isEqualTo(ResponseFlag.JWT_AUTHN_FAILED);
        return cb.status.code() + " " + cb.body + " | " + cb.headers.get("www-authenticate");
    }

    private static HttpRequest get(String uri, String authorization) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("host", "shop.test");
        if (authorization != null) {
            r.headers().set("authorization", authorization);
        }
        return r;
    }

    @Test
    void aValidTokenPassesWithItsClaimsAsHeadersAndWithoutTheToken() throws Exception {
        JwtAuthnConfig c = parse(CONFIG);
        HttpRequest r = get("/api/orders", "Bearer " + valid());
        assertThat(run(c, r)).isEqualTo("pass");
        assertThat(r.headers().get("x-user")).isEqualTo("alice");
        assertThat(r.headers().get("x-groups")).isEqualTo("admin,ops");
        assertThat(r.headers().contains("authorization")).as("not forwarded by default").isFalse();
        HttpRequest q = get("/api/orders?a=1&access_token=" + valid() + "&b=2", null);
        assertThat(run(c, q)).isEqualTo("pass");
        assertThat(q.uri()).isEqualTo("/api/orders?a=1&b=2");
    }

    @Test
    void missingExpiredForgedAndForeignTokensAreRefused() throws Exception {
        JwtAuthnConfig c = parse(CONFIG);
        assertThat(run(c, get("/api/orders", null)))
                .isEqualTo("401 Jwt is missing | Bearer realm=\"http://shop.test/api/orders\"");
        assertThat(run(c, get("/api/x", "Bearer " + token(key, "https://idp.test", "shop", NOW - 120_000, "a"))))
                .isEqualTo("401 Jwt is expired | Bearer realm=\"http://shop.test/api/x\", error=\"invalid_token\"");
        assertThat(run(c, get("/api/x", "Bearer " + token(key, "https://idp.test", "shop", NOW - 30_000, "a"))))
                .as("within the 60 s clock skew").isEqualTo("pass");
        assertThat(run(c, get("/api/x", "Bearer " + token(otherKey, "https://idp.test", "shop", NOW + 60_000, "a"))))
                .startsWith("401 Jwt verification fails");
        assertThat(run(c, get("/api/x", "Bearer " + token(key, "https://idp.test", "billing", NOW + 60_000, "a"))))
                .startsWith("403 Audiences in Jwt are not allowed");
        assertThat(run(c, get("/api/x", "Bearer " + token(key, "https://evil.test", "shop", NOW + 60_000, "a"))))
                .startsWith("403 Jwt issuer is not configured");
        assertThat(run(c, get("/api/x", "Bearer not.a.jwt"))).startsWith("401 Jwt is not in the form");
    }

    @Test
    void rulesAndRequirementsDecideWhatIsNeeded() throws Exception {
        JwtAuthnConfig c = parse(CONFIG);
        assertThat(run(c, get("/public/logo.png", null))).isEqualTo("pass");
        assertThat(run(c, get("/optional/feed", null))).as("allow_missing").isEqualTo("pass");
        HttpRequest withToken = get("/optional/feed", "Bearer " + valid());
        assertThat(run(c, withToken)).isEqualTo("pass");
        assertThat(withToken.headers().get("x-user")).isEqualTo("alice");
        assertThat(run(c, get("/optional/feed", "Bearer " + token(otherKey, "https://idp.test", "shop", NOW + 60_000, "a"))))
                .as("present but invalid").startsWith("401 Jwt verification fails");
    }

    @Test
    void mistakesAreLocated() {
        assertThat(errors("""
                providers:
                  idp: { local_jwks: { inline_string: '{"keys": 5}' } }
                  both: { local_jwks: { inline_string: JWKS }, remote_jwks: { http_uri: { uri: "ftp://x" } } }
                rules: [ { match: { prefix: / }, requires: { provider_name: nobody } } ]
                """)).containsExactly(
                "j.yaml:2:22: providers.idp.local_jwks: not a JWK set (RFC 7517 §5): Unexpected type of JSON object member keys",
                "j.yaml:3:9: providers.both: expected exactly one of local_jwks, remote_jwks",
                "j.yaml:3:473: providers.both.remote_jwks.http_uri.uri: 'ftp://x' (expected: an http or https URL)",
                "j.yaml:4:61: rules[0].requires.provider_name: 'nobody' (expected: one of the providers: both)");
    }

    private static final class Callbacks implements StreamDecoderFilterCallbacks {
        HttpResponseStatus status;
        String body;
        ResponseFlag flag;
        final HttpHeaders headers = new DefaultHttpHeaders();

        @Override
        public void continueDecoding() {
        }

        @Override
        public StreamInfo streamInfo() {
            return null;
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> m) {
            this.status = status;
            this.body = body;
            this.flag = flag;
            if (m != null) {
                m.accept(headers);
            }
        }
    }
}
