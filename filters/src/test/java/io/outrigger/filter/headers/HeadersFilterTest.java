package io.outrigger.filter.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.HttpFilterConfig;
import io.outrigger.filter.FilterChainBuilder;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.HttpFilterRegistry;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamEncoderFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HeadersFilterTest {
    private static final String TEMPLATE = """
            listeners:
              - name: l
                address: 127.0.0.1:0
                http_filters:
                  - name: headers
                    config: %s
                virtual_hosts: [ { name: v, domains: ["*"], routes: [] } ]
            """;

    /** Loads the config through the real loader and registry, as the proxy does. */
    private static FilterFactory load(String filterConfig) throws ConfigException {
        HttpFilterRegistry registry = HttpFilterRegistry.load();
        AtomicReference<FilterFactory> out = new AtomicReference<>();
        new ConfigLoader(n -> null).load("f.yaml", TEMPLATE.formatted(filterConfig), c -> {
            HttpFilterConfig f = c.listeners().get(0).httpFilters().get(0);
            out.set(registry.get(f.name()).createFilterFactory(f.config(), f.node()));
        });
        return out.get();
    }

    @Test
    void registeredUnderItsName() {
        assertThat(HttpFilterRegistry.load().get("headers")).isInstanceOf(HeadersFilterFactory.class);
    }

    @Test
    void removesThenSetsThenAddsOnRequestAndResponse() throws Exception {
        FilterFactory factory = load("""
                { request_headers_to_add: { x-env: prod, X-Multi: two },
                  request_headers_to_set: { x-tier: gold },
                  request_headers_to_remove: [ X-Debug, x-multi ],
                  response_headers_to_set: { server: outrigger },
                  response_headers_to_remove: [ x-internal ] }""");
        List<StreamDecoderFilter> decoders = new ArrayList<>();
        List<StreamEncoderFilter> encoders = new ArrayList<>();
        factory.createFilters(new FilterChainBuilder() {
            @Override
            public void addDecoderFilter(StreamDecoderFilter filter) {
                decoders.add(filter);
            }

            @Override
            public void addEncoderFilter(StreamEncoderFilter filter) {
                encoders.add(filter);
            }
        });
        assertThat(decoders).hasSize(1);
        assertThat(encoders).hasSize(1);

        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().add("x-env", "dev").add("x-tier", "bronze").add("x-tier", "silver")
                .add("x-debug", "1").add("x-multi", "one");
        assertThat(decoders.get(0).decodeHeaders(req, true)).isEqualTo(FilterHeadersStatus.CONTINUE);
        assertThat(req.headers().getAll("x-env")).containsExactly("dev", "prod");
        assertThat(req.headers().getAll("x-tier")).containsExactly("gold");
        assertThat(req.headers().contains("x-debug")).isFalse();
        assertThat(req.headers().getAll("x-multi")).containsExactly("two"); // removed, then added

        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().add("server", "origin").add("x-internal", "secret");
        assertThat(encoders.get(0).encodeHeaders(resp, false)).isEqualTo(FilterHeadersStatus.CONTINUE);
        assertThat(resp.headers().getAll("server")).containsExactly("outrigger");
        assertThat(resp.headers().contains("x-internal")).isFalse();
    }

    @Test
    void badSettingsAreLocatedConfigErrors() {
        assertThatThrownBy(() -> load("{ request_headers_to_add: { transfer-encoding: x, ok: \"a\\nb\" }, nope: 1 }"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString)
                        .containsExactly(
                                "f.yaml:6:45: listeners[0].http_filters[0].config.request_headers_to_add.transfer-encoding: 'transfer-encoding' "
                                        + "(expected: not a connection or framing header; the proxy manages transfer-encoding)",
                                "f.yaml:6:71: listeners[0].http_filters[0].config.request_headers_to_add.ok: 'a\nb' "
                                        + "(expected: a header value without CR, LF or NUL)",
                                "f.yaml:6:81: listeners[0].http_filters[0].config.nope: unknown key 'nope'"));
        assertThatThrownBy(() -> load("{}")).hasMessageContaining("no header changes");
    }
}
