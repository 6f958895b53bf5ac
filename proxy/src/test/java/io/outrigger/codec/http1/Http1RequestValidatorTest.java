package io.outrigger.codec.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class Http1RequestValidatorTest {
    private static HttpRequest req(HttpVersion v, HttpMethod m, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(v, m, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void acceptsOrdinaryRequests() {
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a?b", "host", "x"))).isNull();
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_0, HttpMethod.GET, "/"))).isNull();
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "host", "x",
                "transfer-encoding", "Chunked"))).isNull();
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*", "host", "x"))).isNull();
    }

    @Test
    void hostFieldsAreCountedInTheDecodersContainer() {
        for (int hosts = 0; hosts <= 3; hosts++) {
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                    io.outrigger.codec.ArrayHttpHeaders.FIELDS);
            for (int i = 0; i < hosts; i++) {
                r.headers().add(i % 2 == 0 ? "Host" : "host", "x");
            }
            String reason = Http1RequestValidator.validate(r);
            if (hosts == 1) {
                assertThat(reason).isNull();
            } else {
                assertThat(reason).contains(hosts == 0 ? "missing Host" : "more than one Host");
            }
        }
    }

    @Test
    void rejectsFramingAndHostProblems() {
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_0, HttpMethod.POST, "/",
                "transfer-encoding", "chunked"))).contains("HTTP/1.0");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", "host", "x",
                "transfer-encoding", "gzip, chunked"))).contains("unsupported Transfer-Encoding");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))).contains("missing Host");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", "host", "a b")))
                .contains("invalid Host");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "*", "host", "x"))).isNotNull();
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a#frag", "host", "x")))
                .contains("fragment");
        // CONNECT: authority-form only (RFC 9112 §3.2.3); whether it is allowed is the route's decision
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "example.com:443",
                "host", "example.com:443"))).isNull();
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "example.com",
                "host", "example.com"))).contains("CONNECT");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "/path",
                "host", "example.com"))).contains("CONNECT");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a/b:443",
                "host", "example.com"))).contains("CONNECT");
    }

    @Test
    void absoluteFormBecomesOriginFormWithItsAuthorityAsHost() {
        HttpRequest r = req(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://Catalog:8080/items?id=1", "host", "ignored");
        assertThat(Http1RequestValidator.validate(r)).isNull();
        assertThat(r.uri()).isEqualTo("/items?id=1");
        assertThat(r.headers().get("host")).isEqualTo("Catalog:8080");
        HttpRequest bare = req(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://svc", "host", "svc");
        assertThat(Http1RequestValidator.validate(bare)).isNull();
        assertThat(bare.uri()).isEqualTo("/");
        assertThat(Http1RequestValidator.validate(req(HttpVersion.HTTP_1_1, HttpMethod.GET, "ftp://x/", "host", "x")))
                .isNotNull();
    }
}
