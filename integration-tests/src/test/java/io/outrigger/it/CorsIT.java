package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cors filter through the jar with curl sending exactly a browser's headers. */
class CorsIT {
    @Test
    void preflightsAreAnsweredHereAllowedOriginsGetHeadersAndOthersNone() throws Exception {
        try (Origin o = new Origin("o");
             ProxyProcess p = ProxyProcess.start("cors", """
                     admin: { address: 127.0.0.1:0 }
                     listeners:
                       - name: main
                         address: 127.0.0.1:0
                         http_filters:
                           - name: cors
                             config:
                               allow_origin_string_match: [ { exact: "https://shop.example" } ]
                               allow_methods: "GET, PUT"
                               allow_headers: "content-type, x-user-id"
                               expose_headers: "x-request-id"
                               max_age: "600"
                               allow_credentials: true
                         virtual_hosts:
                           - name: all
                             domains: ["*"]
                             routes:
                               - match: { prefix: /public }
                                 route: { cluster: o }
                                 typed_per_filter_config:
                                   cors: { allow_origin_string_match: [ { prefix: "https://" } ], allow_methods: "GET" }
                               - match: { prefix: /private }
                                 route: { cluster: o }
                                 typed_per_filter_config: { cors: { disabled: true } }
                               - { match: { prefix: / }, route: { cluster: o } }
                     clusters:
                       - { name: o, endpoints: [ %s ] }
                     """.formatted(o.address()))) {
            String base = "http://127.0.0.1:" + p.port("main");
            int before = o.requests.get();
            Cmd preflight = Cmd.curlRun("-s", "-i", "-X", "OPTIONS", "-H", "Origin: https://shop.example",
                    "-H", "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: x-user-id", base + "/cart");
            assertThat(preflight.out()).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("access-control-allow-origin: https://shop.example")
                    .containsIgnoringCase("access-control-allow-methods: GET, PUT")
                    .containsIgnoringCase("access-control-allow-headers: content-type, x-user-id")
                    .containsIgnoringCase("access-control-max-age: 600")
                    .containsIgnoringCase("access-control-allow-credentials: true")
                    .containsIgnoringCase("content-length: 0");
            assertThat(o.requests.get()).as("the preflight never reached the upstream").isEqualTo(before);

            Cmd actual = Cmd.curlRun("-s", "-i", "-H", "Origin: https://shop.example", base + "/cart");
            assertThat(actual.out()).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("access-control-allow-origin: https://shop.example")
                    .containsIgnoringCase("access-control-allow-credentials: true")
                    .containsIgnoringCase("access-control-expose-headers: x-request-id")
                    .containsIgnoringCase("vary: origin");

            // another origin: no CORS headers (the browser refuses the response); its preflight goes upstream untouched
            Cmd evil = Cmd.curlRun("-s", "-i", "-H", "Origin: https://evil.example", base + "/cart");
            assertThat(evil.out()).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("access-control-");
            int atEvil = o.requests.get();
            Cmd evilPreflight = Cmd.curlRun("-s", "-i", "-X", "OPTIONS", "-H", "Origin: https://evil.example",
                    "-H", "Access-Control-Request-Method: PUT", base + "/cart");
            assertThat(evilPreflight.out()).doesNotContainIgnoringCase("access-control-allow");
            assertThat(o.requests.get()).isEqualTo(atEvil + 1);
            assertThat(Cmd.curlRun("-s", "-i", base + "/cart").out()).as("no Origin: not CORS").doesNotContainIgnoringCase("access-control-");

            // a route's own policy, and a route without CORS
            assertThat(Cmd.curlRun("-s", "-i", "-H", "Origin: https://other.example", base + "/public/x").out())
                    .containsIgnoringCase("access-control-allow-origin: https://other.example")
                    .doesNotContainIgnoringCase("access-control-allow-credentials");
            assertThat(Cmd.curlRun("-s", "-i", "-H", "Origin: https://shop.example", base + "/private/x").out())
                    .doesNotContainIgnoringCase("access-control-");
            assertThat(p.stat("cors.origin_valid")).isEqualTo(3);
            assertThat(p.stat("cors.origin_invalid")).isEqualTo(2);
        }
    }
}
