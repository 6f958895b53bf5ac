package io.outrigger.filter.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health_check filter's matchers and located errors. */
class HealthCheckFilterFactoryTest {
    private static List<String> errors(String yaml) {
        try {
            new ConfigLoader(n -> null).read("h.yaml", yaml, "empty", n -> new HealthCheckFilterFactory().createFilterFactory(n, n));
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    @Test
    void pathIsMatchedWithoutTheQueryAndPseudoHeadersAreTheRequestLine() {
        HealthCheckFilterFactory.Matcher path = new HealthCheckFilterFactory.Matcher(":path",
                new StringMatcher(StringMatcher.Kind.EXACT, "/healthz", null, false));
        assertThat(path.matches(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz?x=1"))).isTrue();
        assertThat(path.matches(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz/x"))).isFalse();
        HealthCheckFilterFactory.Matcher method = new HealthCheckFilterFactory.Matcher(":method",
                new StringMatcher(StringMatcher.Kind.EXACT, "HEAD", null, false));
        assertThat(method.matches(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/"))).isTrue();
        HealthCheckFilterFactory.Matcher present = new HealthCheckFilterFactory.Matcher("x-probe", null);
        DefaultHttpRequest probe = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        assertThat(present.matches(probe)).isFalse();
        probe.headers().set("x-probe", "kubelet");
        assertThat(present.matches(probe)).isTrue();
    }

    @Test
    void badSettingsAreLocated() {
        assertThat(errors("""
                headers: [ { name: ":path", exact: /healthz } ]
                cluster_min_healthy_percentages: { app: { value: 120 } }
                """)).containsExactlyInAnyOrder(
                "h.yaml:1:12: headers[0]: a header matcher needs string_match: { exact | prefix | suffix | contains | safe_regex } or present_match: true",
                "h.yaml:1:29: headers[0].exact: unknown key 'exact'",
                "h.yaml:2:50: cluster_min_healthy_percentages.app.value: '120' (expected: a number between 0.0 and 100.0)");
        assertThat(errors("pass_through_mode: true\n")).containsExactly(
                "h.yaml:1:1: missing required key 'headers' (e.g. [ { name: \":path\", string_match: { exact: /healthz } } ])");
    }
}
