package io.outrigger.filter.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cors filter's settings: Envoy's CorsPolicy keys and located errors. */
class CorsFilterFactoryTest {
    private static CorsPolicy policy(String yaml) throws ConfigException {
        return new ConfigLoader(n -> null).read("c.yaml", yaml, "empty", CorsFilterFactory::policy);
    }

    private static List<String> errors(String yaml) {
        try {
            policy(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    @Test
    void originsMatchAsEnvoysStringMatchers() throws Exception {
        CorsPolicy p = policy("""
                allow_origin_string_match: [ { exact: "https://shop.example" }, { suffix: ".shop.example" },
                                             { safe_regex: { regex: "https://[a-z]+\\\\.test" } }, { prefix: "HTTP://LOCALHOST", ignore_case: true } ]
                max_age: "60"
                """);
        assertThat(p.allows("https://shop.example")).isTrue();
        assertThat(p.allows("https://shop.example.evil")).isFalse();
        assertThat(p.allows("https://api.shop.example")).isTrue();
        assertThat(p.allows("https://abc.test")).isTrue();
        assertThat(p.allows("https://abc.test.evil")).as("a regex matches the whole origin").isFalse();
        assertThat(p.allows("http://localhost:3000")).isTrue();
        assertThat(p.allows("null")).isFalse();
        assertThat(p.maxAge()).isEqualTo("60");
        assertThat(p.allowCredentials()).isFalse();
    }

    @Test
    void badSettingsAreLocated() {
        assertThat(errors("""
                allow_origin_string_match: [ { exact: a, prefix: b } ]
                max_age: "ten minutes"
                allow_methods: "GET\\r\\nx-evil: 1"
                allow_credential: true
                """)).containsExactlyInAnyOrder(
                "c.yaml:1:30: allow_origin_string_match[0]: more than one condition (expected: one of exact, prefix, suffix, contains, safe_regex)",
                "c.yaml:2:10: max_age: 'ten minutes' (expected: seconds, e.g. \"86400\")",
                "c.yaml:3:16: allow_methods: 'GET\\r\\nx-evil: 1' (expected: a header value without CR, LF or NUL)",
                "c.yaml:4:1: allow_credential: unknown key 'allow_credential' (did you mean 'allow_credentials'?)");
        assertThat(errors("allow_methods: GET\n")).containsExactly(
                "c.yaml:1:1: missing required key 'allow_origin_string_match' (e.g. [ { exact: \"https://app.example\" } ])");
    }
}
