package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Priority levels through the jar: the standby level takes over when the preferred hosts die, and gives back. */
class FailoverIT {
    static String stat(ProxyProcess p, String name) throws Exception {
        for (String line : p.adminGet("/clusters").body().split("\n")) {
            if (line.startsWith(name + "::")) {
                return line.substring(name.length() + 2);
            }
        }
        throw new AssertionError("no " + name + " in /clusters");
    }

    /** Attempts the proxy sent to an origin (health checks excluded, unlike {@link Origin#requests}). */
    static long attempts(ProxyProcess p, Origin o) throws Exception {
        return Long.parseLong(stat(p, "shop::127.0.0.1:" + o.port() + "::rq_total"));
    }

    @Test
    void trafficMovesToPriorityOneWhenPriorityZeroDiesAndBackWhenItReturns() throws Exception {
        Origin a = new Origin("a");
        Origin b = new Origin("b");
        Origin standby = new Origin("standby");
        int aPort = a.port();
        int bPort = b.port();
        Origin a2 = null;
        Origin b2 = null;
        String yaml = ResilienceIT.routes("connect-failure, reset, 5xx", 2) + """
                  - name: shop
                    endpoints:
                      - { address: %s, priority: 0 }
                      - { address: %s, priority: 0 }
                      - { address: %s, priority: 1 }
                    health_check: { path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 2, healthy_threshold: 1 }
                """.formatted(a.address(), b.address(), standby.address());
        try (ProxyProcess p = ProxyProcess.start("failover", yaml)) {
            String base = "http://127.0.0.1:" + p.port("main");
            try (LoadClient load = new LoadClient(base, 4, 100)) {
                assertThat(Await.until(Duration.ofSeconds(10), () -> attempts(p, a) > 50 && attempts(p, b) > 50)).isTrue();
                assertThat(attempts(p, standby)).as("priority 1 idles while priority 0 is healthy").isZero();
                assertThat(stat(p, "shop::priority_0::load_percent")).isEqualTo("100");

                long killed = System.nanoTime();
                a.terminate();
                b.terminate();
                assertThat(Await.until(Duration.ofSeconds(10), () -> attempts(p, standby) > 0)).isTrue();
                double firstOnStandby = (System.nanoTime() - killed) / 1e6;
                assertThat(Await.until(Duration.ofSeconds(10),
                        () -> stat(p, "shop::priority_1::load_percent").equals("100"))).isTrue();
                double allOnStandby = (System.nanoTime() - killed) / 1e6;
                int okAtSwitch = load.ok.get();
                assertThat(Await.until(Duration.ofSeconds(10), () -> load.ok.get() > okAtSwitch + 200)).isTrue();
                System.out.printf("failover: first request on priority 1 %.0f ms after priority 0 died, all traffic "
                        + "there after %.0f ms (health checks: 2 × 100 ms)%n", firstOnStandby, allOnStandby);

                a2 = new Origin("a", aPort);
                b2 = new Origin("b", bPort);
                Origin backA = a2;
                Origin backB = b2;
                assertThat(Await.until(Duration.ofSeconds(10),
                        () -> stat(p, "shop::priority_0::load_percent").equals("100"))).isTrue();
                long standbyAtReturn = attempts(p, standby);
                long aAtReturn = attempts(p, backA);
                long bAtReturn = attempts(p, backB);
                assertThat(Await.until(Duration.ofSeconds(10),
                        () -> attempts(p, backA) > aAtReturn + 50 && attempts(p, backB) > bAtReturn + 50)).isTrue();
                assertThat(attempts(p, standby)).as("priority 1 idles again").isLessThanOrEqualTo(standbyAtReturn + 8);
                load.close();
                assertThat(load.failures).as("failed client requests").isEmpty();
                System.out.printf("failover: %d requests, 0 failed; priority picks %s / %s%n", load.ok.get(),
                        stat(p, "shop::priority_0::rq_total"), stat(p, "shop::priority_1::rq_total"));
            }
        } finally {
            standby.close();
            if (a2 != null) {
                a2.close();
            }
            if (b2 != null) {
                b2.close();
            }
        }
    }

    @Test
    void anAggregateClusterServesFromTheSecondaryWhenThePrimaryHasNoHealthyHost() throws Exception {
        Origin p1 = new Origin("p1");
        Origin p2 = new Origin("p2");
        Origin replica = new Origin("replica");
        String hc = "health_check: { path: /healthz, interval: 100ms, timeout: 1s, unhealthy_threshold: 2, healthy_threshold: 1 }";
        String yaml = ProxyProcess.mainListenerConfig("""
                - match: { prefix: / }
                  route: { cluster: data, retry_policy: { retry_on: [connect-failure, reset, 5xx], num_retries: 2 } }
                """, """
                - { name: primary, endpoints: [ %s, %s ], %s }
                - { name: secondary, lb_policy: least_request, endpoints: [ %s ], %s }
                - { name: data, type: aggregate, clusters: [ primary, secondary ] }
                """.formatted(p1.address(), p2.address(), hc, replica.address(), hc));
        try (ProxyProcess p = ProxyProcess.start("aggregate", yaml)) {
            String base = "http://127.0.0.1:" + p.port("main");
            try (LoadClient load = new LoadClient(base, 4, 100)) {
                assertThat(Await.until(Duration.ofSeconds(10), () -> p.stat("cluster.data.upstream_rq_total") > 100)).isTrue();
                assertThat(Long.parseLong(stat(p, "data::priority_1::rq_total"))).as("the secondary idles").isZero();
                assertThat(Long.parseLong(stat(p, "data::127.0.0.1:" + replica.port() + "::rq_total"))).isZero();
                long killed = System.nanoTime();
                p1.terminate();
                p2.terminate();
                assertThat(Await.until(Duration.ofSeconds(10),
                        () -> stat(p, "data::priority_1::load_percent").equals("100"))).isTrue();
                double ms = (System.nanoTime() - killed) / 1e6;
                long atSwitch = Long.parseLong(stat(p, "data::127.0.0.1:" + replica.port() + "::rq_total"));
                assertThat(Await.until(Duration.ofSeconds(10), () -> Long.parseLong(
                        stat(p, "data::127.0.0.1:" + replica.port() + "::rq_total")) > atSwitch + 200)).isTrue();
                load.close();
                assertThat(load.failures).as("failed client requests").isEmpty();
                System.out.printf("aggregate: primary's hosts killed, all traffic on the secondary after %.0f ms; %d "
                        + "requests, 0 failed%n", ms, load.ok.get());
            }
            // the explanation names the aggregate and where a request goes now
            assertThat(p.adminGet("/debug/route?authority=x&path=/a").body())
                    .contains("hosts of data (aggregate of primary, secondary): " + replica.address() + " (the only host)");
        } finally {
            replica.close();
        }
    }
}
