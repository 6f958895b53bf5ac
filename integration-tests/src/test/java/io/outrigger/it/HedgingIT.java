package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.it.FaultRelay.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hedge_policy through the jar: one host of three answers after 1 s; GETs are hedged, POSTs never. */
class HedgingIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Latencies in ms of {@code n} sequential requests (sorted). */
    static List<Double> latencies(String url, String method, int n) throws Exception {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
            b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("x")) : b.GET();
            long t = System.nanoTime();
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            out.add((System.nanoTime() - t) / 1e6);
            assertThat(r.statusCode()).isEqualTo(200);
        }
        Collections.sort(out);
        return out;
    }

    static double p99(List<Double> sorted) {
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    @Test
    void aSlowHostNoLongerSetsTheP99OfGetsAndPostsAreNeverSentTwice() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b"); Origin slow = new Origin("slow");
             FaultRelay slowPath = new FaultRelay(slow.port());
             ProxyProcess p = ProxyProcess.start("hedging", ProxyProcess.mainListenerConfig("""
                     - match: { prefix: /plain }
                       route: { cluster: web, retry_policy: { retry_on: [5xx], num_retries: 1 } }
                     - match: { prefix: /hedged }
                       route:
                         cluster: web
                         retry_policy: { retry_on: [5xx], num_retries: 1, per_try_timeout: 100ms }
                         hedge_policy: { hedge_on_per_try_timeout: true }
                     - match: { prefix: /budget }
                       route:
                         cluster: web-default-budget
                         retry_policy: { retry_on: [5xx], num_retries: 1, per_try_timeout: 100ms }
                         hedge_policy: { hedge_on_per_try_timeout: true }
                     """, """
                     # a third of the requests meet the slow host: hedging them all needs more than Envoy's 20-percent budget
                     - { name: web, endpoints: [ %1$s, %2$s, %3$s ], circuit_breakers: { retry_budget: { budget_percent: 50 } } }
                     - { name: web-default-budget, endpoints: [ %1$s, %2$s, %3$s ] }
                     """.formatted(a.address(), b.address(), slowPath.address())))) {
            slowPath.inject(Fault.LATENCY, 1000, Integer.MAX_VALUE); // every answer of "slow" waits 1 s
            String base = "http://127.0.0.1:" + p.port("main");
            List<Double> plain = latencies(base + "/plain", "GET", 30);
            List<Double> hedged = latencies(base + "/hedged", "GET", 30);
            System.out.printf("hedging, one host of three 1 s slow, 30 GETs each: p50 %.0f / p99 %.0f ms without, "
                    + "p50 %.0f / p99 %.0f ms with hedge_on_per_try_timeout (per_try_timeout 100 ms)%n",
                    plain.get(14), p99(plain), hedged.get(14), p99(hedged));
            List<Double> budget = latencies(base + "/budget", "GET", 30);
            System.out.printf("hedging with the default 20 %% retry budget: p50 %.0f / p90 %.0f / p99 %.0f ms (hedges "
                    + "beyond the budget wait for the slow host: %d overflowed)%n", budget.get(14), budget.get(26), p99(budget),
                    p.stat("cluster.web-default-budget.upstream_rq_retry_overflow"));
            assertThat(p99(plain)).isGreaterThan(900);
            assertThat(p99(hedged)).isLessThan(600);
            assertThat(p.stat("cluster.web.upstream_rq_hedged")).isGreaterThanOrEqualTo(5);

            // POST: never hedged — the slow host's POSTs wait out the second, and no POST is sent twice
            int before = a.requests.get() + b.requests.get() + slow.requests.get();
            List<Double> posts = latencies(base + "/hedged", "POST", 15);
            int sent = a.requests.get() + b.requests.get() + slow.requests.get() - before;
            System.out.printf("hedging: 15 POSTs, %d reached an origin, p99 %.0f ms%n", sent, p99(posts));
            assertThat(sent).isEqualTo(15);
            assertThat(p99(posts)).isGreaterThan(900);
        }
    }
}
