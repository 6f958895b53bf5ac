package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * strict_dns against a real DNS server (dnsmasq) on loopback: records added and removed while traffic flows — no
 * failed request, and on a ring only the keys of the changed host move; a name that does not resolve at start is an
 * empty cluster (503), not a failed start.
 */
class DnsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void strictDnsFollowsTheRecordsUnderLoadAndOnlyTheChangedHostsKeysMove() throws Exception {
        try (Origin a = new Origin("a", "127.0.0.1", 0)) {
            int port = a.port();
            try (Origin b = new Origin("b", "127.0.0.2", port); Origin c = new Origin("c", "127.0.0.3", port);
                 DnsServer dns = new DnsServer(List.of("127.0.0.1 web.test", "127.0.0.2 web.test"));
                 ProxyProcess p = ProxyProcess.start("dns", ProxyProcess.mainListenerConfig("""
                         - match: { prefix: /ghost }
                           route: { cluster: ghost }
                         - match: { prefix: / }
                           route: { cluster: web, hash_policy: [ { header: { header_name: x-user-id } } ] }
                         """, """
                         - name: web
                           type: strict_dns
                           lb_policy: ring_hash
                           dns_refresh_rate: 200ms
                           dns_resolvers: [ "%1$s" ]
                           dns_lookup_family: v4_only
                           endpoints: [ web.test:%2$d ]
                         - { name: ghost, type: strict_dns, dns_resolvers: [ "%1$s" ], endpoints: [ nowhere.test:80 ] }
                         - { name: one, type: logical_dns, dns_resolvers: [ "%1$s" ], endpoints: [ web.test:%2$d ] }
                         """.formatted(dns.address(), port)))) {
                String clusters = p.adminGet("/clusters").body();
                assertThat(clusters).contains("web::127.0.0.1:" + port, "web::127.0.0.2:" + port);
                assertThat(clusters.lines().filter(l -> l.matches("one::127\\.0\\.0\\.[12]:" + port + "::health_flags::.*")))
                        .as("logical_dns: one host, the first address of the answer").hasSize(1);
                assertThat(Cmd.curlRun("-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://127.0.0.1:" + p.port("main") + "/ghost").out()).isEqualTo("503");
                assertThat(p.logText()).contains("nowhere.test did not resolve");
                LoadClient load = new LoadClient("http://127.0.0.1:" + p.port("main"), 4, 1000);
                JsonNode added;
                JsonNode removed;
                try {
                    TlsIT.waitUntil(() -> load.ok.get() > 200);
                    dns.update(List.of("127.0.0.1 web.test", "127.0.0.2 web.test", "127.0.0.3 web.test"));
                    TlsIT.waitUntil(() -> c.requests.get() > 50);
                    added = lastChange(p);
                    dns.update(List.of("127.0.0.1 web.test", "127.0.0.3 web.test"));
                    TlsIT.waitUntil(() -> !p.adminGet("/clusters").body().contains("web::127.0.0.2:"));
                    int okAt = load.ok.get();
                    TlsIT.waitUntil(() -> load.ok.get() > okAt + 200);
                    removed = lastChange(p);
                } finally {
                    load.close();
                }
                assertThat(load.failures).isEmpty();
                assertThat(added.path("reason").asText()).isEqualTo("dns: +127.0.0.3:" + port);
                assertThat(added.path("moved_fraction").asDouble()).isBetween(0.2, 0.45); // a third, in theory
                added.path("flows").forEach(f -> assertThat(f.path("to").asText()).isEqualTo("127.0.0.3:" + port));
                assertThat(removed.path("reason").asText()).isEqualTo("dns: -127.0.0.2:" + port);
                assertThat(removed.path("moved_fraction").asDouble()).isBetween(0.2, 0.45);
                removed.path("flows").forEach(f -> assertThat(f.path("from").asText()).isEqualTo("127.0.0.2:" + port));
                System.out.printf("dns: +1 host moved %.1f %% of keys (all to it), -1 host moved %.1f %% (all from it); "
                        + "%d requests, 0 failed%n", 100 * added.path("moved_fraction").asDouble(),
                        100 * removed.path("moved_fraction").asDouble(), load.ok.get());
                assertThat(p.stat("cluster.web.update_success")).isPositive();
                assertThat(p.stat("cluster.ghost.update_failure")).isPositive();
            }
        }
    }

    private static JsonNode lastChange(ProxyProcess p) throws Exception {
        JsonNode hash = JSON.readTree(p.adminGet("/debug/hash?cluster=web&format=json").body());
        JsonNode changes = hash.path("host_set_changes");
        assertThat(changes.size()).as(hash.toString()).isPositive();
        return changes.get(0); // newest first
    }
}
