package io.outrigger.filter.extauthz;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ext_authz settings: Envoy's defaults, header patterns, and located errors. */
class ExtAuthzFilterFactoryTest {
    private static ExtAuthzConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(n -> null).read("e.yaml", yaml, "empty", new ExtAuthzFilterFactory()::parse);
    }

    private static List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    @Test
    void defaultsAndPatterns() throws Exception {
        ExtAuthzConfig c = parse("""
                http_service:
                  server_uri: { uri: "http://authz:9191" }
                  path_prefix: check
                  authorization_response: { allowed_upstream_headers: { patterns: [ { prefix: x-user- } ] } }
                """);
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.statusOnError()).isEqualTo(403);
        assertThat(c.failureModeAllow()).isFalse();
        assertThat(c.pathPrefix()).isEqualTo("/check");
        assertThat(ExtAuthzConfig.anyMatch(c.allowedUpstreamHeaders(), "x-user-id")).isTrue();
        assertThat(ExtAuthzConfig.anyMatch(c.allowedUpstreamHeaders(), "x-admin")).isFalse();
        assertThat(c.withRequestBody()).isNull();
        assertThat(parse("""
                http_service: { server_uri: { uri: "http://authz:9191" } }
                with_request_body: { max_request_bytes: 4KiB, allow_partial_message: true }
                """).withRequestBody()).isEqualTo(new ExtAuthzConfig.BufferSettings(4096, true));
    }

    @Test
    void mistakesAreLocated() {
        assertThat(errors("""
                http_service: { server_uri: { uri: "authz:9191" } }
                with_request_body: { max_request_bytes: 1KiB, allow_partial: true }
                status_on_error: { code: 99 }
                """)).containsExactly(
                "e.yaml:1:36: http_service.server_uri.uri: 'authz:9191' (expected: an http or https URL such as http://127.0.0.1:9191)",
                "e.yaml:2:47: with_request_body.allow_partial: unknown key 'allow_partial'",
                "e.yaml:3:26: status_on_error.code: '99' (expected: an integer between 200 and 599)");
    }
}
