package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Many HTTP/2 streams on one downstream connection fan out over a small pool of HTTP/1.1 connections. */
class ConcurrencyIT {
    @Test
    void twoHundredConcurrentStreamsOnOneConnectionWithEightUpstreamConnections() throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b");
             ProxyProcess proxy = ProxyProcess.start("concurrency", ProxyProcess.catchAllConfig("{ cluster: small }",
                     "- name: small\n  endpoints: [ " + a.address() + ", " + b.address() + " ]\n"
                     + "  connection_pool: { max_connections: 8, max_pending_requests: 1024 }\n"))) {
            String url = "http://127.0.0.1:" + proxy.port("main") + "/slow/20";
            Cmd r = Cmd.run(180, "h2load", "-n", "2000", "-c", "1", "-m", "200", url);
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            Matcher m = Pattern.compile("requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed")
                    .matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            assertThat(m.group(4)).as(r.out()).isEqualTo("2000");
            assertThat(m.group(5)).isEqualTo("0");
            assertThat(r.out()).contains("status codes: 2000 2xx");
            // every upstream connection has its own client port at the origin
            int upstreamConnections = a.clientPorts.size() + b.clientPorts.size();
            assertThat(upstreamConnections).isBetween(2, 8);
            assertThat(a.requests.get() + b.requests.get()).isEqualTo(2000);
        }
    }
}
