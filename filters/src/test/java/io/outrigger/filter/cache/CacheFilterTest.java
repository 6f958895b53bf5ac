package io.outrigger.filter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache filter's decisions, driven frame by frame with a clock the test moves: what it answers itself, what it
 * sends upstream (and with which validators), and what it stores. Every buffer it hands out is released by the end.
 */
class CacheFilterTest {
    /** Wall-clock time the test sets. */
    private static final class TestClock extends Clock {
        long ms = 1_800_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return ms;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(ms);
        }
    }

    /** One stream's callbacks: what the filter answered, and whether it let the request on. */
    private final class Stream implements StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks {
        HttpResponse response;
        String body;
        HttpResponseStatus localReply;
        int continued;

        @Override
        public void continueDecoding() {
            continued++;
        }

        @Override
        public void continueEncoding() {
        }

        @Override
        public StreamInfo streamInfo() {
            throw new UnsupportedOperationException();
        }

        @Override
        public EventLoop eventLoop() {
            return loop.eventLoop();
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> m) {
            localReply = status;
        }

        @Override
        public void sendResponse(HttpResponse r, ByteBuf data, HttpHeaders trailers) {
            response = r;
            body = data == null ? "" : data.toString(StandardCharsets.UTF_8);
            if (data != null) {
                data.writeByte('!'); // a later filter may edit what it gets: the stored copy must not change
                data.release();
            }
        }
    }

    private final TestClock clock = new TestClock();
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<ByteBuf> upstreamBuffers = new ArrayList<>();
    private CacheConfig config = config(1 << 20, 1024);

    private CacheConfig config(long maxBytes, long maxObject) {
        return new CacheConfig(new HttpCache(maxBytes, new LongAdder()), maxObject, List.of(), false, true, clock,
                new CacheConfig.Stats(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
                        new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
                        new LongAdder(), new LongAdder()));
    }

    @AfterEach
    void allReleased() {
        assertThat(upstreamBuffers).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }

    private static HttpRequest request(HttpMethod method, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        r.headers().set("host", "app.example").set("x-forwarded-proto", "http");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private String date(long offsetMs) {
        return DateFormatter.format(new Date(clock.ms + offsetMs));
    }

    /** A started exchange: the filter, its stream, the request (as the filter left it) and its first verdict. */
    private final class Exchange {
        final CacheFilter filter = new CacheFilter(config);
        final Stream stream = new Stream();
        final HttpRequest request;
        final FilterHeadersStatus verdict;

        Exchange(HttpMethod method, String uri, String... headers) {
            filter.setDecoderFilterCallbacks(stream);
            filter.setEncoderFilterCallbacks(stream);
            request = request(method, uri, headers);
            verdict = filter.decodeHeaders(request, true);
        }

        boolean forwarded() {
            return verdict == FilterHeadersStatus.CONTINUE;
        }

        /** Whether the request went upstream; the stream then ends without an answer (its fill with it). */
        boolean goesUpstream() {
            filter.onDestroy();
            return forwarded();
        }

        /** The upstream answers; returns the response as it leaves the filter (or the one the filter put instead). */
        HttpResponse upstream(int status, String body, String... headers) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            r.headers().set("date", date(0));
            for (int i = 0; i < headers.length; i += 2) {
                r.headers().add(headers[i], headers[i + 1]);
            }
            if (!body.isEmpty()) {
                r.headers().set("content-length", body.length());
            }
            FilterHeadersStatus s = filter.encodeHeaders(r, body.isEmpty());
            if (s != FilterHeadersStatus.CONTINUE) {
                filter.onDestroy();
                return stream.response;
            }
            if (!body.isEmpty()) {
                ByteBuf b = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
                upstreamBuffers.add(b);
                int half = body.length() / 2;
                filter.encodeData(b.retainedSlice(0, half), false);
                filter.encodeData(b.retainedSlice(half, body.length() - half), true);
                b.release(3); // ours and the two slices' (the filter does not own encoder data)
            }
            filter.onDestroy();
            return r;
        }
    }

    private Exchange get(String uri, String... headers) {
        return new Exchange(HttpMethod.GET, uri, headers);
    }

    @Test
    void aFreshResponseIsServedUntilItsMaxAgeThenValidatedWithItsETag() {
        Exchange first = get("/a");
        assertThat(first.forwarded()).isTrue();
        assertThat(first.upstream(200, "hello", "cache-control", "max-age=60", "etag", "\"v1\"").headers().get("x-cache"))
                .isEqualTo("MISS");
        clock.ms += 59_000;
        Exchange hit = get("/a");
        assertThat(hit.forwarded()).isFalse();
        assertThat(hit.stream.response.status().code()).isEqualTo(200);
        assertThat(hit.stream.body).isEqualTo("hello");
        assertThat(hit.stream.response.headers().get("age")).isEqualTo("59");
        assertThat(hit.stream.response.headers().get("x-cache")).isEqualTo("HIT");
        hit.filter.onDestroy();
        assertThat(get("/a").stream.body).as("the stored body is a copy per answer").isEqualTo("hello");

        clock.ms += 2_000; // stale now: validated with the stored ETag
        Exchange validation = get("/a");
        assertThat(validation.forwarded()).isTrue();
        assertThat(validation.request.headers().get("if-none-match")).isEqualTo("\"v1\"");
        HttpResponse served = validation.upstream(304, "", "cache-control", "max-age=30", "etag", "\"v1\"");
        assertThat(served.status().code()).as("the caller asked without conditions: the whole stored response").isEqualTo(200);
        assertThat(validation.stream.body).isEqualTo("hello");
        assertThat(served.headers().get("cache-control")).isEqualTo("max-age=30");
        assertThat(config.stats().validated().sum()).isEqualTo(1);
        clock.ms += 20_000;
        assertThat(get("/a").goesUpstream()).as("freshened for 30 s more").isFalse();
        assertThat(config.stats().hit().sum()).as("the validated answer counts as validated").isEqualTo(3);
        assertThat(config.stats().miss().sum()).isEqualTo(2);
    }

    @Test
    void whatASharedCacheMustNotStoreIsNotStored() {
        String[][] uncacheable = {
            {"cache-control", "no-store, max-age=60"}, {"cache-control", "private, max-age=60"},
            {"cache-control", "max-age=60", "set-cookie", "s=1"}, {"cache-control", "max-age=60", "vary", "*"},
            {"x-nothing", "no freshness, no validator"},
        };
        for (int i = 0; i < uncacheable.length; i++) {
            get("/n" + i).upstream(200, "x", uncacheable[i]);
            assertThat(get("/n" + i).goesUpstream()).as(String.join(" ", uncacheable[i])).isTrue();
        }
        get("/auth", "authorization", "Bearer x").upstream(200, "x", "cache-control", "max-age=60");
        assertThat(get("/auth").goesUpstream()).as("an authorized request's response without public").isTrue();
        get("/auth2", "authorization", "Bearer x").upstream(200, "x", "cache-control", "public, max-age=60");
        assertThat(get("/auth2").goesUpstream()).isFalse();
        get("/req-no-store", "cache-control", "no-store").upstream(200, "x", "cache-control", "max-age=60");
        assertThat(get("/req-no-store").goesUpstream()).isTrue();
        get("/500").upstream(500, "x");
        assertThat(get("/500").goesUpstream()).isTrue();
        get("/404").upstream(404, "x", "cache-control", "max-age=60");
        assertThat(get("/404").stream.response.status().code()).as("a 404 with max-age is cacheable").isEqualTo(404);
    }

    @Test
    void variantsAreStoredApartByTheirVaryHeaders() {
        get("/v", "accept-language", "en").upstream(200, "hello", "cache-control", "max-age=60", "vary", "Accept-Language");
        get("/v", "accept-language", "fr").upstream(200, "bonjour", "cache-control", "max-age=60", "vary", "Accept-Language");
        assertThat(get("/v", "accept-language", "en").stream.body).isEqualTo("hello");
        assertThat(get("/v", "accept-language", "fr").stream.body).isEqualTo("bonjour");
        assertThat(get("/v", "accept-language", "de").goesUpstream()).isTrue();
        assertThat(get("/v").goesUpstream()).isTrue();
    }

    @Test
    void anAllowListRefusesOtherVaryHeaders() {
        config = new CacheConfig(config.cache(), 1024, List.of(new io.outrigger.config.StringMatcher(
                io.outrigger.config.StringMatcher.Kind.EXACT, "accept-encoding", null, true)), false, true, clock,
                config.stats());
        get("/ae", "accept-encoding", "gzip").upstream(200, "x", "cache-control", "max-age=60", "vary", "accept-encoding");
        get("/ua", "user-agent", "curl").upstream(200, "x", "cache-control", "max-age=60", "vary", "user-agent");
        assertThat(get("/ae", "accept-encoding", "gzip").goesUpstream()).isFalse();
        assertThat(get("/ua", "user-agent", "curl").goesUpstream()).isTrue();
    }

    @Test
    void staleIfErrorAnswersAnOriginErrorWithTheStaleResponseButMustRevalidateForbidsIt() {
        get("/s").upstream(200, "old", "cache-control", "max-age=10, stale-if-error=60");
        get("/m").upstream(200, "old", "cache-control", "max-age=10, stale-if-error=60, must-revalidate");
        clock.ms += 30_000;
        Exchange s = get("/s");
        assertThat(s.forwarded()).isTrue();
        HttpResponse r = s.upstream(503, "down");
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(s.stream.body).isEqualTo("old");
        assertThat(r.headers().get("x-cache")).isEqualTo("STALE");
        assertThat(get("/m").upstream(503, "down").status().code()).isEqualTo(503);
        clock.ms += 60_000;
        assertThat(get("/s").upstream(503, "down").status().code()).as("past the window").isEqualTo(503);
    }

    @Test
    void requestDirectivesMaxStaleMaxAgeNoCacheAndOnlyIfCached() {
        get("/r").upstream(200, "x", "cache-control", "max-age=10", "last-modified", date(-3_600_000));
        clock.ms += 15_000;
        assertThat(get("/r", "cache-control", "max-stale=10").goesUpstream()).isFalse();
        assertThat(get("/r", "cache-control", "max-stale=2").goesUpstream()).isTrue();
        clock.ms -= 10_000; // 5 s old
        assertThat(get("/r", "cache-control", "max-age=3").goesUpstream()).isTrue();
        assertThat(get("/r", "cache-control", "min-fresh=6").goesUpstream()).isTrue();
        Exchange noCache = get("/r", "pragma", "no-cache");
        assertThat(noCache.forwarded()).isTrue();
        assertThat(noCache.request.headers().get("if-modified-since")).isEqualTo(date(-3_600_000 - 5_000));
        Exchange onlyIfCached = get("/absent", "cache-control", "only-if-cached");
        assertThat(onlyIfCached.stream.localReply).isEqualTo(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    @Test
    void theCallersOwnConditionsAreAnsweredFromTheStore() {
        get("/c").upstream(200, "x", "cache-control", "max-age=60", "etag", "W/\"e1\"");
        Exchange c = get("/c", "if-none-match", "\"e0\", \"e1\"");
        assertThat(c.stream.response.status().code()).isEqualTo(304);
        assertThat(c.stream.response.headers().get("etag")).isEqualTo("W/\"e1\"");
        assertThat(c.stream.body).isEmpty();
        assertThat(get("/c", "if-none-match", "\"e2\"").stream.response.status().code()).isEqualTo(200);
    }

    @Test
    void unsafeMethodsThatSucceedInvalidateTheirTargetAndLocation() {
        get("/u").upstream(200, "x", "cache-control", "max-age=60");
        get("/u2").upstream(200, "x", "cache-control", "max-age=60");
        new Exchange(HttpMethod.POST, "/u").upstream(500, "x");
        assertThat(get("/u").goesUpstream()).as("a failed POST changes nothing").isFalse();
        new Exchange(HttpMethod.POST, "/u").upstream(201, "", "location", "http://app.example/u2");
        assertThat(get("/u").goesUpstream()).isTrue();
        assertThat(get("/u2").goesUpstream()).isTrue();
    }

    @Test
    void bodiesOverTheObjectLimitPassUnstored() {
        config = config(1 << 20, 8);
        get("/big").upstream(200, "0123456789", "cache-control", "max-age=60");
        assertThat(get("/big").goesUpstream()).isTrue();
        assertThat(config.stats().tooLarge().sum()).isEqualTo(1);
        Exchange chunked = get("/chunked");
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("cache-control", "max-age=60");
        chunked.filter.encodeHeaders(r, false);
        ByteBuf a = Unpooled.copiedBuffer("01234", StandardCharsets.UTF_8);
        ByteBuf b = Unpooled.copiedBuffer("56789", StandardCharsets.UTF_8);
        upstreamBuffers.add(a);
        upstreamBuffers.add(b);
        chunked.filter.encodeData(a, false);
        chunked.filter.encodeData(b, true);
        a.release();
        b.release();
        chunked.filter.onDestroy();
        assertThat(get("/chunked").goesUpstream()).isTrue();
    }

    @Test
    void concurrentMissesWaitForOneFetchAndAreAnsweredFromItsResult() {
        Exchange leader = get("/k");
        Exchange w1 = get("/k");
        Exchange w2 = get("/k");
        assertThat(leader.forwarded()).isTrue();
        assertThat(w1.verdict).isEqualTo(FilterHeadersStatus.STOP_ITERATION);
        assertThat(w2.verdict).isEqualTo(FilterHeadersStatus.STOP_ITERATION);
        leader.upstream(200, "shared", "cache-control", "max-age=60");
        loop.runPendingTasks();
        assertThat(w1.stream.body).isEqualTo("shared");
        assertThat(w2.stream.body).isEqualTo("shared");
        assertThat(w1.stream.continued + w2.stream.continued).as("neither went upstream").isZero();
        assertThat(config.stats().coalesced().sum()).isEqualTo(2);

        Exchange l2 = get("/nc");
        Exchange w3 = get("/nc");
        l2.upstream(200, "x", "cache-control", "no-store");
        loop.runPendingTasks();
        assertThat(w3.stream.continued).as("not storable: the waiter fetches for itself").isEqualTo(1);

        Exchange l3 = get("/reset");
        Exchange w4 = get("/reset");
        l3.filter.onDestroy(); // the leader's caller went away before any response
        loop.runPendingTasks();
        assertThat(w4.stream.continued).isEqualTo(1);
    }

    @Test
    void staleWhileRevalidateAnswersStaleWhileAnotherStreamRefreshes() {
        get("/swr").upstream(200, "old", "cache-control", "max-age=10, stale-while-revalidate=30", "etag", "\"1\"");
        clock.ms += 20_000;
        Exchange refresher = get("/swr");
        assertThat(refresher.forwarded()).isTrue();
        Exchange other = get("/swr");
        assertThat(other.stream.body).isEqualTo("old");
        assertThat(other.stream.response.headers().get("x-cache")).isEqualTo("STALE");
        refresher.upstream(200, "new", "cache-control", "max-age=10", "etag", "\"2\"");
        assertThat(get("/swr").stream.body).isEqualTo("new");
    }

    @Test
    void settingsAreValidatedWithTheirLocation() {
        CacheFilterFactory factory = new CacheFilterFactory(clock);
        assertThatThrownBy(() -> new ConfigLoader(n -> null).read("f.yaml", "max_bytes: 1MiB\nmax_object_bytes: 2MiB\n",
                "empty", n -> {
                    factory.parse(n);
                    return n;
                })).isInstanceOf(ConfigException.class).hasMessageContaining("f.yaml:2:")
                .hasMessageContaining("max_object_bytes");
        assertThatThrownBy(() -> new ConfigLoader(n -> null).read("f.yaml", "allowed_vary_headers: [ { bogus: x } ]\n",
                "empty", n -> {
                    factory.parse(n);
                    return n;
                })).isInstanceOf(ConfigException.class).hasMessageContaining("f.yaml:1:");
    }
}
