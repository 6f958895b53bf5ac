package io.outrigger.filter;

/** Why a stream ended the way it did; printed in the access log with Envoy's short codes. */
public enum ResponseFlag {
    /** No route matched (404). */
    NO_ROUTE_FOUND("NR"),
    /** The cluster had no healthy host (503). */
    NO_HEALTHY_UPSTREAM("UH"),
    /** Connecting upstream failed (503). */
    UPSTREAM_CONNECTION_FAILURE("UF"),
    /** A connection pool limit overflowed (503). */
    UPSTREAM_OVERFLOW("UO"),
    /** The upstream reset the stream (502 before response headers). */
    UPSTREAM_REMOTE_RESET("UR"),
    /** Retries ran out (num_retries reached) and the last failure was returned. */
    UPSTREAM_RETRY_LIMIT_EXCEEDED("URX"),
    /** The upstream connection terminated mid-stream. */
    UPSTREAM_CONNECTION_TERMINATION("UC"),
    /** The route timeout expired (504). */
    UPSTREAM_REQUEST_TIMEOUT("UT"),
    /** No bytes went either way for the stream idle timeout ({@code idle_timeout}, {@code stream_idle_timeout}). */
    STREAM_IDLE_TIMEOUT("SI"),
    /** The route's {@code max_stream_duration} was reached (Envoy's UpstreamMaxStreamDurationReached). */
    UPSTREAM_MAX_STREAM_DURATION_REACHED("UMSDR"),
    /**
     * An upgrade (WebSocket, CONNECT) was asked for on a route where it is not enabled (403). Envoy records this
     * as the response code detail {@code upgrade_failed}; Outrigger gives it a flag of its own.
     */
    UPGRADE_FAILED("UPG"),
    /** The upstream's response was malformed (UPE). */
    UPSTREAM_PROTOCOL_ERROR("UPE"),
    /** The downstream connection terminated mid-stream. */
    DOWNSTREAM_CONNECTION_TERMINATION("DC"),
    /** The response was generated locally by a filter. */
    LOCAL_RESET("LR"),
    /** The downstream request was malformed (400, 431, 414). */
    DOWNSTREAM_PROTOCOL_ERROR("DPE"),
    /** The overload manager answered 503 ({@code stop_accepting_requests}). */
    OVERLOAD_MANAGER("OM"),
    /** A rate limit answered 429 ({@code local_ratelimit}; Envoy's RateLimited). */
    RATE_LIMITED("RL"),
    /** The {@code fault} filter aborted the request (Envoy's FaultInjected). */
    FAULT_INJECTED("FI"),
    /** The {@code fault} filter delayed the request (Envoy's DelayInjected). */
    DELAY_INJECTED("DI"),
    /** The {@code rbac} filter refused the request (403; Outrigger's flag: Envoy records only response code details). */
    RBAC_ACCESS_DENIED("RBAC"),
    /** The {@code jwt_authn} filter refused the request (401/403; Outrigger's flag, as for RBAC). */
    JWT_AUTHN_FAILED("JWT"),
    /** The external authorization service denied the request, or could not be asked (Envoy's {@code UAEX}). */
    UNAUTHORIZED_EXTERNAL_SERVICE("UAEX");

    private final String code;

    ResponseFlag(String code) {
        this.code = code;
    }

    /** Envoy's short code, e.g. {@code UF}. */
    public String code() {
        return code;
    }
}
