package io.outrigger.filter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** Freshness lifetime and age (RFC 9111 §4.2) of stored responses. */
class CachedResponseTest {
    private static final long T0 = 1_800_000_000_000L;

    private static String date(long ms) {
        return DateFormatter.format(new Date(ms));
    }

    @Test
    void lifetimeTakesSMaxAgeThenMaxAgeThenExpiresThenTheHeuristic() {
        HttpHeaders h = new DefaultHttpHeaders().add("date", date(T0)).add("cache-control", "max-age=60, s-maxage=10");
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).isEqualTo(10_000);
        h.set("cache-control", "max-age=60");
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).isEqualTo(60_000);
        h.remove("cache-control").set("expires", date(T0 + 120_000));
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).isEqualTo(120_000);
        h.set("expires", "0");
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).as("invalid Expires").isZero();
        h.remove("expires").set("last-modified", date(T0 - 1000_000));
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).as("10% of the age of the content")
                .isEqualTo(100_000);
        assertThat(CachedResponse.of(302, h, new byte[0], null, T0, T0).lifetimeMs).as("no heuristic for 302").isZero();
        h.set("last-modified", date(T0 - 100L * 24 * 3600_000));
        assertThat(CachedResponse.of(200, h, new byte[0], null, T0, T0).lifetimeMs).isEqualTo(CachedResponse.MAX_HEURISTIC_MS);
    }

    @Test
    void ageCountsTheAgeHeaderTheResponseDelayAndTheResidentTime() {
        HttpHeaders h = new DefaultHttpHeaders().add("date", date(T0)).add("age", "30").add("cache-control", "max-age=100");
        // requested at T0 - 2 s, answered at T0 + 1 s: corrected age 30 s + 3 s
        CachedResponse r = CachedResponse.of(200, h, new byte[0], null, T0 - 2000, T0 + 1000);
        assertThat(r.currentAgeMs(T0 + 1000)).isEqualTo(33_000);
        assertThat(r.currentAgeMs(T0 + 11_000)).isEqualTo(43_000);
        assertThat(r.stalenessMs(T0 + 68_000)).isEqualTo(0);
        assertThat(r.toResponse(T0 + 11_000).headers().get("age")).isEqualTo("43");
        assertThat(r.headers.get("content-length")).isEqualTo("0");
    }

    @Test
    void aFreshenedResponseTakesTheNewFieldsButKeepsItsFraming() {
        HttpHeaders h = new DefaultHttpHeaders().add("date", date(T0)).add("cache-control", "max-age=10").add("etag", "\"a\"")
                .add("content-type", "text/plain").add("transfer-encoding", "chunked");
        CachedResponse r = CachedResponse.of(200, h, "hello".getBytes(), null, T0, T0);
        assertThat(r.headers.contains("transfer-encoding")).isFalse();
        HttpHeaders notModified = new DefaultHttpHeaders().add("date", date(T0 + 50_000)).add("cache-control", "max-age=30")
                .add("content-length", "0").add("x-new", "1");
        CachedResponse f = r.freshened(notModified, T0 + 50_000, T0 + 50_000);
        assertThat(f.lifetimeMs).isEqualTo(30_000);
        assertThat(f.currentAgeMs(T0 + 50_000)).isZero();
        assertThat(f.headers.get("content-length")).isEqualTo("5");
        assertThat(f.headers.get("x-new")).isEqualTo("1");
        assertThat(f.headers.get("content-type")).isEqualTo("text/plain");
        assertThat(f.body).isSameAs(r.body);
    }
}
