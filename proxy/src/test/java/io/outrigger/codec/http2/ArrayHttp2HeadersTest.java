package io.outrigger.codec.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flat HTTP/2 field block against Netty's {@code DefaultHttp2Headers}, whose answers and order it must give. */
class ArrayHttp2HeadersTest {
    private static List<String> lines(Http2Headers h) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    @Test
    void pseudoHeaderFieldsGoFirstWhateverTheOrderOfAdding() {
        Http2Headers h = new ArrayHttp2Headers(2).add("content-type", "text/plain").status("200")
                .add("x-a", "1").add(":x-pseudo", "p");
        assertThat(lines(h)).containsExactly(":status: 200", ":x-pseudo: p", "content-type: text/plain", "x-a: 1");
        assertThat(h.status()).hasToString("200");
        h.status("404");
        assertThat(lines(h)).containsExactly(":x-pseudo: p", ":status: 404", "content-type: text/plain", "x-a: 1");
        assertThat(h.size()).isEqualTo(4);
    }

    @Test
    void requestPseudoHeaderFieldsReadBack() {
        Http2Headers h = new ArrayHttp2Headers(4).method("GET").scheme("https").path("/a?b").authority("example.com");
        assertThat(h.method()).hasToString("GET");
        assertThat(h.scheme()).hasToString("https");
        assertThat(h.path()).hasToString("/a?b");
        assertThat(h.authority()).hasToString("example.com");
        assertThat(h.get(":path")).hasToString("/a?b");
    }

    @Test
    void valuesMatchExactlyOrWithoutCaseAsAsked() {
        Http2Headers h = new ArrayHttp2Headers(2).add("te", "Trailers").add("x-n", "42");
        assertThat(h.contains("te", "trailers")).isFalse();
        assertThat(h.contains("te", "trailers", true)).isTrue();
        assertThat(h.contains("TE")).as("names are lowercase in HTTP/2 and compared as such").isFalse();
        assertThat(h.getInt("x-n")).isEqualTo(42);
        assertThat(h.getInt("te")).as("not a number reads as absent").isNull();
        assertThat(h.getLong("missing", 7L)).isEqualTo(7L);
        assertThat(h.containsInt("x-n", 42)).isTrue();
    }

    @Test
    void iteratorRemovalKeepsThePseudoHeaderBoundary() {
        Http2Headers h = new ArrayHttp2Headers(2).status("200").add("a", "1").add(":p", "2").add("b", "3");
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iterator();
        it.next();
        it.remove(); // :status
        h.add(":q", "4");
        assertThat(lines(h)).containsExactly(":p: 2", ":q: 4", "a: 1", "b: 3");
    }

    @Test
    void anEntryValueIsReplacedThroughTheIterator() {
        Http2Headers h = new ArrayHttp2Headers(2).status("200").add("a", "1").add("b", "2");
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iterator();
        it.next();
        Map.Entry<CharSequence, CharSequence> a = it.next();
        assertThat(a.setValue("9")).hasToString("1");
        assertThat(lines(h)).containsExactly(":status: 200", "a: 9", "b: 2");
        it.remove();
        assertThatThrownBy(() -> a.setValue("x")).isInstanceOf(IllegalStateException.class);
        assertThat(lines(h)).containsExactly(":status: 200", "b: 2");
    }

    /** Random add/set/remove sequences, every answer compared with Netty's container. */
    @Test
    void randomEditsGiveTheSameAnswersAsDefaultHttp2Headers() {
        String[] names = {":status", ":path", ":method", "content-type", "x-a", "x-b", "set-cookie", "te"};
        String[] values = {"1", "2", "GET", "text/plain", "a, b", "Trailers", "200"};
        SplittableRandom random = new SplittableRandom(15);
        for (int round = 0; round < 300; round++) {
            Http2Headers ours = new ArrayHttp2Headers(1 + random.nextInt(4));
            Http2Headers netty = new DefaultHttp2Headers(false);
            for (int op = 0; op < 30; op++) {
                String name = names[random.nextInt(names.length)];
                String value = values[random.nextInt(values.length)];
                switch (random.nextInt(6)) {
                    case 0, 1, 2 -> {
                        ours.add(name, value);
                        netty.add(name, value);
                    }
                    case 3 -> {
                        ours.set(name, value);
                        netty.set(name, value);
                    }
                    case 4 -> assertThat(ours.remove(name)).isEqualTo(netty.remove(name));
                    default -> assertThat(ours.getAndRemove(name)).isEqualTo(netty.getAndRemove(name));
                }
                for (String n : names) {
                    assertThat(ours.get(n)).as(n).isEqualTo(netty.get(n));
                    assertThat(ours.getAll(n)).as(n).isEqualTo(netty.getAll(n));
                    assertThat(ours.contains(n, value, true)).isEqualTo(netty.contains(n, value, true));
                }
                assertThat(ours.size()).isEqualTo(netty.size());
                assertThat(ours.names()).isEqualTo(netty.names());
                assertThat(lines(ours)).as("block order, round %d", round).isEqualTo(lines(netty));
            }
        }
    }

    /** The block HPACK-encodes (Netty's encoder, RFC 7541) to what decodes back as the same fields in the same order. */
    @Test
    void anEncodedBlockDecodesToTheSameFields() throws Exception {
        Http2Headers ours = new ArrayHttp2Headers(3).add("content-type", "application/grpc")
                .add(AsciiString.cached("x-outrigger-upstream-service-time"), "3").status("200").add("grpc-encoding", "gzip");
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(1, ours, block);
            Http2Headers decoded = decoder.decodeHeaders(1, block);
            assertThat(lines(decoded)).isEqualTo(lines(ours))
                    .containsExactly(":status: 200", "content-type: application/grpc",
                            "x-outrigger-upstream-service-time: 3", "grpc-encoding: gzip");
        } finally {
            assertThat(block.release()).isTrue();
        }
    }
}
