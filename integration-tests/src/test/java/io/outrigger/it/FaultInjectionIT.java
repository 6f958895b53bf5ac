package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.it.FaultRelay.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix: a {@link FaultRelay} between the real jar and a real origin injects what networks and origins do,
 * and each fault has a stated outcome — status, response flag, retry or not, bytes the client saw — within the
 * route's timeouts (route {@code timeout: 2s}, {@code idle_timeout: 1s}; every upstream connection carries one request,
 * so each fault meets a fresh connection). Envoy's semantics throughout: the route timeout runs until the response is
 * complete (a streaming response — gRPC, SSE, upgrades — is exempt once its headers arrived), the idle timeout also
 * covers the wait for the response, an upstream failure after response bytes went downstream is never retried.
 */
class FaultInjectionIT {
    static Origin origin;
    static FaultRelay relay;
    static ProxyProcess proxy;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origin("o");
        relay = new FaultRelay(origin.port());
        proxy = ProxyProcess.start("faults", ProxyProcess.mainListenerConfig("""
                - match: { prefix: /retry/ }
                  route: { cluster: faulty, prefix_rewrite: /, timeout: 2s, retry_policy: { retry_on: [reset], num_retries: 1 } }
                - match: { prefix: / }
                  route: { cluster: faulty, timeout: 2s, idle_timeout: 1s }
                """, """
                - name: faulty
                  endpoints: [ %s ]
                  connection_pool: { max_requests_per_connection: 1 }
                """.formatted(relay.address())));
        base = "http://127.0.0.1:" + proxy.port("main");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        relay.close();
        origin.close();
    }

    @BeforeEach
    void clear() {
        relay.inject(Fault.NONE, 0, 0);
    }

    /** curl's exit code, status, bytes received and seconds, e.g. {@code 0 200 65536 0.31}. */
    static String[] fetch(String path) throws Exception {
        Cmd r = Cmd.curlRun("-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", base + path);
        String[] w = r.out().trim().split(" ");
        return new String[] {Integer.toString(r.exit()), w[0], w[1], w[2]};
    }

    static double seconds(String[] r) {
        return Double.parseDouble(r[3]);
    }

    @Test
    void addedLatencyIsCarriedThroughCompletely() throws Exception {
        relay.inject(Fault.LATENCY, 300, 1);
        String[] r = fetch("/bytes/65536");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("200");
        assertThat(r[2]).isEqualTo("65536");
        assertThat(seconds(r)).isBetween(0.3, 2.0);
    }

    @Test
    void aBandwidthCapSlowsTheBodyWhichCompletesWithinTheRouteTimeoutAndIsCutAtIt() throws Exception {
        relay.inject(Fault.BANDWIDTH, 256 * 1024, 1); // 192 KiB at 256 KiB/s: ~0.75 s, within the 2 s route timeout
        String[] r = fetch("/bytes/196608");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("200");
        assertThat(r[2]).isEqualTo("196608");
        assertThat(seconds(r)).isBetween(0.5, 2.0);

        // 384 KiB at 128 KiB/s would take 3 s: the route timeout (Envoy's: until the response is complete) cuts it
        relay.inject(Fault.BANDWIDTH, 128 * 1024, 1);
        r = fetch("/bytes/393216");
        assertThat(r[1]).isEqualTo("200");
        assertThat(r[0]).isIn("18", "56");
        assertThat(Long.parseLong(r[2])).isBetween(100_000L, 393_215L);
        assertThat(seconds(r)).isBetween(1.9, 3.0);
        assertThat(proxy.awaitLog(l -> l.contains("GET /bytes/393216") && l.contains(" UT "))).isTrue();
    }

    @Test
    void anOriginThatStallsAfterItsHeadersIsCutByTheIdleTimeout() throws Exception {
        relay.inject(Fault.STALL_AFTER_HEADERS, 0, 1);
        String[] r = fetch("/bytes/65536");
        assertThat(r[1]).isEqualTo("200");             // the headers went out before the stall
        assertThat(r[0]).isIn("18", "56");             // then the body ends short: partial transfer
        assertThat(Long.parseLong(r[2])).isLessThan(65536);
        assertThat(seconds(r)).isBetween(0.9, 3.0);    // idle_timeout 1 s, not the 5 min default
        assertThat(proxy.awaitLog(l -> l.contains("GET /bytes/65536") && l.contains(" SI "))).isTrue();
    }

    @Test
    void aResetMidBodyEndsTheDownstreamStreamWithWhatCameBefore() throws Exception {
        relay.inject(Fault.RESET_MID_BODY, 20_000, 1);
        String[] r = fetch("/bytes/262144");
        assertThat(r[1]).isEqualTo("200");
        assertThat(r[0]).isIn("18", "56");
        assertThat(Long.parseLong(r[2])).isLessThan(20_000).isPositive(); // the relay's 20,000 bytes include the head
        assertThat(seconds(r)).isLessThan(2.0);
        // an RST from the origin's side is a connection termination: flag UC, and no retry once bytes went downstream
        assertThat(proxy.awaitLog(l -> l.contains("GET /bytes/262144") && l.contains(" 200 UC "))).isTrue();
    }

    @Test
    void aConnectionClosedBeforeTheResponseIsRetriedWhereTheRoutePermitsElse503() throws Exception {
        relay.inject(Fault.HALF_CLOSE_BEFORE_RESPONSE, 0, 1);
        long retries = proxy.stat("cluster.faulty.upstream_rq_retry");
        String[] r = fetch("/retry/bytes/1000");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("200"); // retry_on: reset, onto a fresh connection
        assertThat(r[2]).isEqualTo("1000");
        assertThat(proxy.stat("cluster.faulty.upstream_rq_retry")).isEqualTo(retries + 1);

        relay.inject(Fault.HALF_CLOSE_BEFORE_RESPONSE, 0, 1);
        r = fetch("/bytes/1000");
        assertThat(r[1]).isEqualTo("502"); // no retry policy on this route: the failure is answered, not hidden
        assertThat(seconds(r)).isLessThan(2.0);
        assertThat(proxy.awaitLog(l -> l.contains("GET /bytes/1000") && l.contains(" 502 UC "))).isTrue();
    }

    @Test
    void anOriginThatAcceptsAndNeverAnswersGets504AtTheFirstTimeoutToExpire() throws Exception {
        // a route with idle_timeout 1 s: the stream idle timeout comes first (Envoy's: it also covers the wait for
        // the response headers)
        relay.inject(Fault.BLACKHOLE, 0, 1);
        String[] r = fetch("/never");
        assertThat(r[1]).isEqualTo("504");
        assertThat(seconds(r)).isBetween(0.9, 1.9);
        assertThat(proxy.awaitLog(l -> l.contains("GET /never ") && l.contains(" 504 SI "))).isTrue();
        // a route with only timeout 2 s (and retry_on: reset, which a timeout is not): 504 UT at 2 s, no retry
        long retries = proxy.stat("cluster.faulty.upstream_rq_retry");
        relay.inject(Fault.BLACKHOLE, 0, 1);
        r = fetch("/retry/never");
        assertThat(r[1]).isEqualTo("504");
        assertThat(seconds(r)).isBetween(1.9, 3.5);
        assertThat(proxy.awaitLog(l -> l.contains("GET /retry/never ") && l.contains(" 504 UT "))).isTrue();
        assertThat(proxy.stat("cluster.faulty.upstream_rq_retry")).isEqualTo(retries);
    }

    @Test
    void afterEveryFaultTheProxyServesNormally() throws Exception {
        String[] r = fetch("/bytes/100000");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("200");
        assertThat(r[2]).isEqualTo("100000");
        assertThat(proxy.adminGet("/ready").statusCode()).isEqualTo(200);
    }
}
