package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * jwt_authn through the jar: keys from a real JWKS endpoint (fetched off the event loops and refreshed), tokens signed
 * with ES256 by Nimbus, curl as the client; a key rotation at the identity provider is picked up by the refresh.
 */
class JwtIT {
    static String token(ECKey key, String subject) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://idp.test").audience("shop").subject(subject)
                .expirationTime(new Date(System.currentTimeMillis() + 300_000)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void tokensAreVerifiedAgainstARemoteJwksThatIsRefreshed() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("2026-11").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("2026-12").generate();
        AtomicReference<String> jwks = new AtomicReference<>(new JWKSet(first.toPublicJWK()).toString());
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        idp.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] b = jwks.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        idp.start();
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("jwt", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - name: jwt_authn
                             config:
                               providers:
                                 idp:
                                   issuer: https://idp.test
                                   audiences: [shop]
                                   remote_jwks: { http_uri: { uri: "http://127.0.0.1:%d/jwks.json", timeout: 2s }, cache_duration: 1s }
                                   claim_to_headers: [ { header_name: x-user, claim_name: sub } ]
                               rules:
                                 - { match: { prefix: /public/ } }
                                 - { match: { prefix: / }, requires: { provider_name: idp } }
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(idp.getAddress().getPort(), o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            assertThat(Await.until(Duration.ofSeconds(10), () -> fetches.get() > 0)).isTrue();
            String good = token(first, "alice");
            assertThat(Await.until(Duration.ofSeconds(10), () -> Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "authorization: Bearer " + good, base + "/api").out().equals("200"))).isTrue();
            Cmd ok = Cmd.curlRun("-s", "-H", "authorization: Bearer " + good, base + "/api/orders");
            assertThat(ok.out()).contains("origin: o", "x-user: alice").doesNotContain("authorization");
            int before = o.requests.get();
            Cmd missing = Cmd.curlRun("-s", "-i", base + "/api/orders");
            assertThat(missing.out()).startsWith("HTTP/1.1 401").contains("Jwt is missing")
                    .containsIgnoringCase("www-authenticate: Bearer realm=\"http://127.0.0.1:");
            Cmd forged = Cmd.curlRun("-s", "-i", "-H", "authorization: Bearer " + token(second, "mallory"), base + "/api");
            assertThat(forged.out()).startsWith("HTTP/1.1 401").contains("error=\"invalid_token\"");
            assertThat(o.requests.get()).as("refused requests never reach the origin").isEqualTo(before);
            assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/public/logo").out()).isEqualTo("200");

            // the identity provider rotates its key: within the 1 s cache duration the new key is in force
            jwks.set(new JWKSet(second.toPublicJWK()).toString());
            String rotated = token(second, "bob");
            assertThat(Await.until(Duration.ofSeconds(10), () -> Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "authorization: Bearer " + rotated, base + "/api").out().equals("200"))).isTrue();
            assertThat(p.stat("jwt_authn.denied")).isGreaterThanOrEqualTo(2);
            assertThat(p.awaitLog(l -> l.contains("\"GET /api/orders HTTP/1.1\" 401 JWT"))).isTrue();
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void rbacDecidesOnTheVerifiedClaimsJwtAuthnRecords() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        Path jwks = Files.createDirectories(ProxyProcess.WORK.resolve("jwt-rbac-" + System.nanoTime())).resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("jwt-rbac", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - name: jwt_authn
                             config:
                               providers:
                                 idp: { issuer: https://idp.test, local_jwks: { filename: "%s" }, payload_in_metadata: payload }
                               rules: [ { match: { prefix: / }, requires: { provider_name: idp } } ]
                           - name: rbac
                             config:
                               rules:
                                 action: ALLOW
                                 policies:
                                   alice-only:
                                     permissions: [ { any: true } ]
                                     principals:
                                       - metadata: { filter: envoy.filters.http.jwt_authn, path: [ { key: payload }, { key: sub } ],
                                                     value: { string_match: { exact: alice } } }
                         virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: o } } ] } ]
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(jwks, o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            assertThat(Cmd.curlRun("-s", "-H", "authorization: Bearer " + token(key, "alice"), base + "/api").out())
                    .contains("origin: o");
            int before = o.requests.get();
            Cmd bob = Cmd.curlRun("-s", "-i", "-H", "authorization: Bearer " + token(key, "bob"), base + "/api");
            assertThat(bob.out()).startsWith("HTTP/1.1 403").contains("RBAC: access denied");
            Cmd forgedHeader = Cmd.curlRun("-s", "-i", "-H", "authorization: Bearer " + token(key, "bob"),
                    "-H", "x-jwt-sub: alice", base + "/api");
            assertThat(forgedHeader.out()).as("only the verified claims count").startsWith("HTTP/1.1 403");
            assertThat(o.requests.get()).isEqualTo(before);
        }
    }
}
