package io.outrigger.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.ConfigNode;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** local_ratelimit's settings, buckets per descriptor, per-route override, and its local reply. */
class LocalRateLimitFilterTest {
    private final AtomicLong now = new AtomicLong();
    private final LocalRateLimitFilterFactory factory = new LocalRateLimitFilterFactory(now::get);

    private LocalRateLimitConfig parse(String yaml) throws ConfigException {
        AtomicReference<LocalRateLimitConfig> out = new AtomicReference<>();
        new ConfigLoader(n -> null).read("f.yaml", yaml, "empty", n -> {
            out.set(factory.parse(n));
            return n;
        });
        return out.get();
    }

    private static List<String> errors(LocalRateLimitFilterFactory f, String yaml) {
        try {
            new ConfigLoader(n -> null).read("f.yaml", yaml, "empty", f::parse);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    /** A stream's callbacks: the caller's address, the route's settings, and the local reply made. */
    private static final class Stream implements StreamDecoderFilterCallbacks {
        final String ip;
        final Object routeConfig;
        HttpResponseStatus replied;
        ResponseFlag flag;
        final HttpHeaders replyHeaders = new DefaultHttpHeaders();

        Stream(String ip, Object routeConfig) {
            this.ip = ip;
            this.routeConfig = routeConfig;
        }

        @Override
        public void continueDecoding() {
        }

        @Override
        public StreamInfo streamInfo() {
            return new StreamInfo() {
                @Override
                public SocketAddress downstreamRemoteAddress() {
                    return new InetSocketAddress(ip, 40000);
                }

                @Override
                public String protocol() {
                    return "HTTP/1.1";
                }

                @Override
                public String listenerName() {
                    return "l";
                }
            };
        }

        @Override
        public Object routeSpecificConfig(String filterName) {
            return filterName.equals("local_ratelimit") ? routeConfig : null;
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> modify) {
            replied = status;
            this.flag = flag;
            if (modify != null) {
                modify.accept(replyHeaders);
            }
        }
    }

    private static HttpRequest get(String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    /** Runs one request through a fresh filter; returns its stream (replied == null: passed). */
    private static Stream request(LocalRateLimitConfig listener, Object route, String ip, HttpResponse response, String... headers) {
        LocalRateLimitFilter f = new LocalRateLimitFilter(listener);
        Stream s = new Stream(ip, route);
        f.setDecoderFilterCallbacks(s);
        FilterHeadersStatus status = f.decodeHeaders(get(headers), true);
        assertThat(status == FilterHeadersStatus.STOP_ITERATION).isEqualTo(s.replied != null);
        if (response != null) {
            f.encodeHeaders(response, true);
        }
        return s;
    }

    @Test
    void theListenerBucketLimitsWithRetryAfterAndRateLimitHeaders() throws Exception {
        LocalRateLimitConfig c = parse("""
                stat_prefix: unit_test
                token_bucket: { max_tokens: 2, tokens_per_fill: 1, fill_interval: 10s }
                enable_x_ratelimit_headers: DRAFT_VERSION_03
                """);
        HttpResponse ok = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        assertThat(request(c, null, "10.0.0.1", ok).replied).isNull();
        assertThat(ok.headers().get("x-ratelimit-limit")).isEqualTo("2");
        assertThat(ok.headers().get("x-ratelimit-remaining")).isEqualTo("1");
        assertThat(ok.headers().get("x-ratelimit-reset")).isEqualTo("10");
        assertThat(request(c, null, "10.0.0.1", null).replied).isNull();
        now.addAndGet(3_000_000_000L);
        Stream limited = request(c, null, "10.0.0.1", null);
        assertThat(limited.replied).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(limited.flag).isEqualTo(ResponseFlag.RATE_LIMITED);
        assertThat(limited.replyHeaders.get("retry-after")).isEqualTo("7");
        assertThat(c.stats().ok().sum()).isEqualTo(2);
        assertThat(c.stats().rateLimited().sum()).isEqualTo(1);
        now.addAndGet(7_000_000_000L);
        assertThat(request(c, null, "10.0.0.1", null).replied).as("refilled").isNull();
    }

    @Test
    void descriptorsGiveEachValueItsBucketAndARouteItsOwnSettings() throws Exception {
        LocalRateLimitConfig c = parse("""
                token_bucket: { max_tokens: 100, fill_interval: 1s }
                descriptors:
                  - { request_headers: { header_name: X-User-Id }, token_bucket: { max_tokens: 1, fill_interval: 1s } }
                  - { remote_address: {}, token_bucket: { max_tokens: 2, fill_interval: 1s } }
                status: 503
                """);
        assertThat(request(c, null, "10.0.0.1", null, "x-user-id", "alice").replied).isNull();
        assertThat(request(c, null, "10.0.0.1", null, "x-user-id", "alice").replied).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(request(c, null, "10.0.0.1", null, "x-user-id", "bob").replied).as("another value, another bucket").isNull();
        // no x-user-id: the caller's address keys the second descriptor
        assertThat(request(c, null, "10.0.0.7", null).replied).isNull();
        assertThat(request(c, null, "10.0.0.7", null).replied).isNull();
        assertThat(request(c, null, "10.0.0.7", null).replied).isNotNull();
        assertThat(request(c, null, "10.0.0.8", null).replied).isNull();

        LocalRateLimitConfig route = parse("token_bucket: { max_tokens: 1, fill_interval: 1m }\n");
        assertThat(request(c, route, "10.0.0.9", null).replied).isNull();
        assertThat(request(c, route, "10.0.0.9", null).replied).as("the route's bucket, not the listener's").isNotNull();
    }

    @Test
    void badSettingsAreLocated() {
        assertThat(errors(factory, """
                token_bucket: { tokens_per_fill: 0 }
                descriptors: [ { token_bucket: { max_tokens: 1, fill_interval: 1s } } ]
                enable_x_ratelimit_headers: YES
                status: 200
                """)).containsExactlyInAnyOrder(
                "f.yaml:1:34: token_bucket.tokens_per_fill: '0' (expected: an integer between 1 and 2147483647)",
                "f.yaml:1:15: token_bucket: missing required key 'max_tokens'",
                "f.yaml:1:15: token_bucket: missing required key 'fill_interval' (e.g. 1s)",
                "f.yaml:2:16: descriptors[0]: a descriptor needs exactly one of request_headers: { header_name } or remote_address: {}",
                "f.yaml:3:29: enable_x_ratelimit_headers: 'YES' (expected: one of OFF, DRAFT_VERSION_03)",
                "f.yaml:4:9: status: '200' (expected: an integer between 400 and 599)");
    }
}
