package io.outrigger.filter.jwt;

import java.util.List;

/**
 * One {@code providers.<name>} entry (Envoy's {@code JwtProvider}): who issues tokens, where their keys are, where a
 * request carries them, and what goes upstream after a token verified.
 *
 * @param name                 the provider's name
 * @param issuer               {@code issuer}: the {@code iss} claim must equal it; {@code null}: any
 * @param audiences            {@code audiences}: the {@code aud} claim must contain one; empty: any
 * @param jwks                 {@code local_jwks} or {@code remote_jwks}
 * @param fromHeaders          {@code from_headers}: {@code { name, value_prefix }}; with no location configured,
 *                             {@code Authorization: Bearer} and the {@code access_token} query parameter (Envoy's)
 * @param fromParams           {@code from_params}: query parameter names
 * @param forward              {@code forward}: keep the token in the request sent upstream (default false)
 * @param forwardPayloadHeader {@code forward_payload_header}: a header carrying the verified payload (base64url), or
 *                             {@code null}
 * @param claimToHeaders       {@code claim_to_headers}: {@code { header_name, claim_name }} copied upstream
 * @param clockSkewSeconds     {@code clock_skew_seconds}: leeway for {@code exp} and {@code nbf} (default 60, Envoy's)
 * @param payloadInMetadata    {@code payload_in_metadata}: the key under which the verified claims go into the stream's
 *                             dynamic metadata (namespace {@code envoy.filters.http.jwt_authn}), or {@code null}
 */
record JwtProvider(String name, String issuer, List<String> audiences, JwksSource jwks, List<HeaderLocation> fromHeaders,
                   List<String> fromParams, boolean forward, String forwardPayloadHeader, List<ClaimHeader> claimToHeaders,
                   long clockSkewSeconds, String payloadInMetadata) {
    /** {@code from_headers[]}: a header and the prefix before the token ({@code "Bearer "}). */
    record HeaderLocation(String name, String valuePrefix) {
    }

    /** {@code claim_to_headers[]}. */
    record ClaimHeader(String headerName, String claimName) {
    }

    JwtProvider {
        audiences = List.copyOf(audiences);
        fromHeaders = List.copyOf(fromHeaders);
        fromParams = List.copyOf(fromParams);
        claimToHeaders = List.copyOf(claimToHeaders);
    }
}
