package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rbac filter through the jar: mTLS identities (curl with client certificates from the jar's own CA), source
 * addresses (curl bound to 127.0.0.2), methods and paths; shadow rules only counted; a route that disables the filter.
 */
class RbacIT {
    @Test
    void policiesOverIdentitiesAddressesMethodsAndPathsDecideAndDenialsNeverReachTheOrigin() throws Exception {
        Path certs = Files.createDirectories(ProxyProcess.WORK.resolve("rbac-" + System.nanoTime())).resolve("certs");
        TlsIT.outrigger("certs", "ca", "--dir", certs.toString());
        TlsIT.outrigger("certs", "issue", "--dir", certs.toString(), "--dns", "localhost", "--ip", "127.0.0.1");
        TlsIT.outrigger("certs", "issue", "--dir", certs.toString(), "--name", "frontend", "--uri", "spiffe://shop/frontend");
        TlsIT.outrigger("certs", "issue", "--dir", certs.toString(), "--name", "ops", "--uri", "spiffe://shop/ops");
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("rbac", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: inbound
                         address: 127.0.0.1:0
                         tls:
                           certificates: [ { certificate_chain: %1$s/localhost.crt, private_key: %1$s/localhost.key } ]
                           require_client_certificate: true
                           validation: { trusted_ca: %1$s/ca.crt }
                         http_filters:
                           - name: rbac
                             config:
                               rules:
                                 action: ALLOW
                                 policies:
                                   frontend-reads:
                                     permissions:
                                       - and_rules: { rules: [ { header: { name: ":method", exact: GET } },
                                                               { url_path: { path: { prefix: /api/ } } } ] }
                                     principals: [ { authenticated: { principal_name: { exact: "spiffe://shop/frontend" } } } ]
                                   ops-from-the-ops-host:
                                     permissions: [ { any: true } ]
                                     principals:
                                       - and_ids: { ids: [ { authenticated: { principal_name: { prefix: "spiffe://shop/ops" } } },
                                                           { direct_remote_ip: { address_prefix: 127.0.0.2, prefix_len: 32 } } ] }
                               shadow_rules:
                                 action: DENY
                                 policies:
                                   no-deletes: { permissions: [ { header: { name: ":method", exact: DELETE } } ], principals: [ { any: true } ] }
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /public/ }
                                 route: { cluster: o }
                                 typed_per_filter_config: { rbac: { disabled: true } }
                               - { match: { prefix: / }, route: { cluster: o } }
                     clusters:
                       - { name: o, endpoints: [ %2$s ] }
                     """.formatted(certs, o.address()))) {
            String base = "https://localhost:" + p.port("inbound");
            int before = o.requests.get();
            assertThat(call(certs, "frontend", "127.0.0.1", "GET", base + "/api/items")).isEqualTo("200");
            assertThat(call(certs, "frontend", "127.0.0.1", "POST", base + "/api/items")).isEqualTo("403 RBAC: access denied");
            assertThat(call(certs, "frontend", "127.0.0.1", "GET", base + "/admin")).isEqualTo("403 RBAC: access denied");
            assertThat(call(certs, "ops", "127.0.0.1", "DELETE", base + "/cache")).isEqualTo("403 RBAC: access denied");
            assertThat(call(certs, "ops", "127.0.0.2", "DELETE", base + "/cache")).isEqualTo("200"); // shadow: denied, counted
            assertThat(call(certs, "ops", "127.0.0.1", "GET", base + "/public/logo")).isEqualTo("200"); // rbac disabled here
            assertThat(o.requests.get() - before).as("only the allowed requests reached the origin").isEqualTo(3);
            assertThat(p.stat("rbac.allowed")).isEqualTo(2);
            assertThat(p.stat("rbac.denied")).isEqualTo(3);
            assertThat(p.stat("rbac.shadow_denied")).isEqualTo(2);
            assertThat(p.stat("rbac.shadow_allowed")).isEqualTo(3);
            assertThat(p.awaitLog(l -> l.contains("\"POST /api/items HTTP/2\" 403 RBAC"))).isTrue();
        }
    }

    /** One curl request with the named client certificate from {@code source}: "STATUS" or "STATUS BODY" for errors. */
    private static String call(Path certs, String client, String source, String method, String url) throws Exception {
        List<String> args = new ArrayList<>(List.of("-s", "--cacert", certs.resolve("ca.crt").toString(),
                "--cert", certs.resolve(client + ".crt").toString(), "--key", certs.resolve(client + ".key").toString(),
                "--interface", source, "-X", method, "-o", "-", "-w", "\n%{http_code}", url));
        Cmd r = Cmd.curlRun(args.toArray(new String[0]));
        String[] lines = r.out().strip().split("\n");
        String code = lines[lines.length - 1];
        return code.startsWith("2") ? code : code + " " + lines[0];
    }
}
