package io.outrigger.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.HashPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashKeyTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("10.0.0.1", 1234);

    private static HttpRequest request(String cookieHeader) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (cookieHeader != null) {
            r.headers().set("cookie", cookieHeader);
        }
        return r;
    }

    @Test
    void anAbsentCookieWithATtlIsGeneratedAndTheCallerThenHashesTheSame() {
        HashPolicy.Cookie policy = new HashPolicy.Cookie("route", Duration.ofHours(1), "/", "Lax", true, false);
        HashKey.Outcome first = new HashKey.Outcome();
        HashKey.compute(List.of(policy), request("other=1"), PEER, new SplittableRandom(7), first);
        assertThat(first.present).isTrue();
        assertThat(first.setCookie).matches("route=[0-9a-f]{16}; Max-Age=3600; Expires=.*; Path=/; Secure; HTTPOnly; SameSite=Lax"); // Netty spells HTTPOnly; RFC 6265 §5.2: case-insensitive
        String value = first.setCookie.substring("route=".length(), "route=".length() + 16);

        HashKey.Outcome next = new HashKey.Outcome();
        HashKey.compute(List.of(policy), request("a=b; route=" + value), PEER, new SplittableRandom(8), next);
        assertThat(next.setCookie).isNull(); // present: nothing to set
        assertThat(next.present).isTrue();
        assertThat(next.key).isEqualTo(first.key); // the generating request went where the later ones go

        HashKey.Outcome other = new HashKey.Outcome();
        HashKey.compute(List.of(policy), request(null), PEER, new SplittableRandom(9), other);
        assertThat(other.key).isNotEqualTo(first.key); // another caller, another key
    }

    @Test
    void noTtlNoCookieAndSessionCookiesHaveNoMaxAge() {
        HashKey.Outcome o = new HashKey.Outcome();
        HashKey.compute(List.of(new HashPolicy.Cookie("route", null, null, null, false, false)), request(null), PEER,
                new SplittableRandom(1), o);
        assertThat(o.present).isFalse();
        assertThat(o.setCookie).isNull();
        HashKey.compute(List.of(new HashPolicy.Cookie("route", Duration.ZERO, null, null, false, false)), request(null), PEER,
                new SplittableRandom(1), o);
        assertThat(o.setCookie).matches("route=[0-9a-f]{16}; HTTPOnly");
        // explanations never generate
        long[] key = new long[1];
        assertThat(HashKey.compute(List.of(new HashPolicy.Cookie("route", Duration.ZERO, null, null, false, false)),
                request(null), PEER, key)).isFalse();
    }
}
