package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The fault filter through the jar: configured and header-driven delays and aborts, percentages, the active cap. */
class FaultFilterIT {
    private static long timedMs(String... curlArgs) throws Exception {
        long t = System.nanoTime();
        Cmd.curlRun(curlArgs);
        return (System.nanoTime() - t) / 1_000_000;
    }

    private static String code(String url, String... headers) throws Exception {
        List<String> args = new ArrayList<>(List.of("-s", "-o", "/dev/null", "-w", "%{http_code}"));
        for (String h : headers) {
            args.add("-H");
            args.add(h);
        }
        args.add(url);
        return Cmd.curlRun(args.toArray(new String[0])).out();
    }

    @Test
    void delaysAndAbortsAsConfiguredOrAsHeadersSayWithinTheActiveCap() throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("fault", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         access_log: [ { format: json } ]
                         http_filters:
                           - name: fault
                             config: { delay: { header_delay: {} }, abort: { header_abort: {} }, max_active_faults: 2 }
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /teapot }
                                 route: { cluster: o }
                                 typed_per_filter_config: { fault: { abort: { http_status: 418 } } }
                               - match: { prefix: /slow }
                                 route: { cluster: o }
                                 typed_per_filter_config: { fault: { delay: { fixed_delay: 300ms } } }
                               - match: { prefix: /grpc }
                                 route: { cluster: o }
                                 typed_per_filter_config: { fault: { abort: { grpc_status: 14 } } }
                               - match: { prefix: /half }
                                 route: { cluster: o }
                                 typed_per_filter_config: { fault: { abort: { http_status: 503, percentage: { numerator: 50 } } } }
                               - { match: { prefix: / }, route: { cluster: o } }
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            int before = o.requests.get();
            assertThat(code(base + "/teapot")).isEqualTo("418");
            assertThat(Cmd.curlRun("-s", "-i", base + "/grpc").out()).containsIgnoringCase("grpc-status: 14");
            assertThat(o.requests.get()).as("aborted requests never reach the upstream").isEqualTo(before);
            assertThat(timedMs("-s", "-o", "/dev/null", base + "/slow")).isGreaterThanOrEqualTo(300);
            assertThat(o.requests.get()).as("a delayed request goes on").isEqualTo(before + 1);

            // header-driven on the listener's config; without the headers nothing happens
            assertThat(code(base + "/x", "x-outrigger-fault-abort-request: 503")).isEqualTo("503");
            assertThat(code(base + "/x", "x-outrigger-fault-abort-request: 503",
                    "x-outrigger-fault-abort-request-percentage: 0")).as("the header's percentage caps it").isEqualTo("200");
            assertThat(timedMs("-s", "-o", "/dev/null", "-H", "x-outrigger-fault-delay-request: 250", base + "/x"))
                    .isGreaterThanOrEqualTo(250);
            assertThat(code(base + "/x")).isEqualTo("200");

            // 50 %: binomial, 200 draws (bounds at about 4 standard deviations)
            int aborted = 0;
            for (int i = 0; i < 200; i++) {
                aborted += code(base + "/half").equals("503") ? 1 : 0;
            }
            assertThat(aborted).isBetween(70, 130);

            // max_active_faults 2: a third concurrent delay is not injected
            long overflowBefore = p.stat("fault.faults_overflow");
            List<CompletableFuture<Long>> delayed = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                delayed.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return timedMs("-s", "-o", "/dev/null", "-H", "x-outrigger-fault-delay-request: 2000", base + "/x");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            TlsIT.waitUntil(() -> p.stat("fault.delays_injected") >= 3); // /slow, the 250 ms one, and now these two
            TlsIT.waitUntil(() -> p.stat("fault.delays_injected") >= 4);
            long third = timedMs("-s", "-o", "/dev/null", "-H", "x-outrigger-fault-delay-request: 2000", base + "/x");
            assertThat(third).as("over the cap: not delayed").isLessThan(1500);
            assertThat(p.stat("fault.faults_overflow")).isEqualTo(overflowBefore + 1);
            for (CompletableFuture<Long> d : delayed) {
                assertThat(d.join()).isGreaterThanOrEqualTo(2000);
            }
            TlsIT.waitUntil(() -> p.logText().contains("\"response_code\":418,\"response_flags\":\"FI\""));
            assertThat(p.awaitLog(l -> l.contains("\"response_flags\":\"DI\""))).as("access log line").isTrue();
        }
    }
}
