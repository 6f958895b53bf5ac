package io.outrigger.filter.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.Key;
import java.text.ParseException;
import java.util.Date;
import java.util.List;

/**
 * Verifies one JWS-signed JWT (RFC 7519) for a provider with Nimbus JOSE+JWT: the signature with a key of the
 * provider's JWK set chosen by the header's {@code kid} and {@code alg} (RFC 7515 §4.1), then {@code exp} and
 * {@code nbf} with the provider's clock skew, {@code iss} and {@code aud} (RFC 7519 §4.1). No crypto of our own.
 */
final class JwtVerifier {
    private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

    /** The outcome: the verified claims and payload, or why not. */
    record Result(JWTClaimsSet claims, String payload, String error) {
        boolean ok() {
            return error == null;
        }

        static Result failed(String error) {
            return new Result(null, null, error);
        }
    }

    private JwtVerifier() {
    }

    /**
     * @param token  the compact serialization
     * @param nowMs  the current time, ms since the epoch (injected)
     */
    static Result verify(String token, JwtProvider p, long nowMs) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return Result.failed("Jwt is not in the form of Header.Payload.Signature");
        }
        JWKSet keys = p.jwks().current();
        if (keys == null) {
            return Result.failed("Jwks remote fetch is failed");
        }
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates = new JWKSelector(JWKMatcher.forJWSHeader(header)).select(keys);
        if (candidates.isEmpty()) {
            return Result.failed("Jwks doesn't have key to match kid or alg from Jwt");
        }
        boolean verified = false;
        for (JWK jwk : candidates) {
            try {
                for (Key key : KeyConverter.toJavaKeys(List.of(jwk))) {
                    JWSVerifier v = VERIFIERS.createJWSVerifier(header, key);
                    if (jwt.verify(v)) {
                        verified = true;
                        break;
                    }
                }
            } catch (JOSEException e) {
                // this key cannot verify this algorithm: try the next
            }
            if (verified) {
                break;
            }
        }
        if (!verified) {
            return Result.failed("Jwt verification fails");
        }
        long skewMs = p.clockSkewSeconds() * 1000;
        Date exp = claims.getExpirationTime();
        if (exp != null && nowMs > exp.getTime() + skewMs) {
            return Result.failed("Jwt is expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nowMs + skewMs < nbf.getTime()) {
            return Result.failed("Jwt not yet valid");
        }
        if (p.issuer() != null && !p.issuer().equals(claims.getIssuer())) {
            return Result.failed("Jwt issuer is not configured");
        }
        if (!p.audiences().isEmpty()) {
            List<String> aud = claims.getAudience();
            if (aud == null || aud.stream().noneMatch(p.audiences()::contains)) {
                return Result.failed("Audiences in Jwt are not allowed");
            }
        }
        return new Result(claims, jwt.getPayload().toBase64URL().toString(), null);
    }
}
