package io.outrigger.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flat header container against Netty's {@code DefaultHttpHeaders}, whose answers it must give. */
class ArrayHttpHeadersTest {
    private static ArrayHttpHeaders headers() {
        return new ArrayHttpHeaders(HeaderValidation.FIELDS);
    }

    private static List<String> lines(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    @Test
    void namesMatchWithoutCaseAndKeepTheirSpellingAndOrder() {
        HttpHeaders h = headers().add("Content-Type", "text/plain").add("X-A", "1").add("x-a", "2").add("Host", "h");
        assertThat(h.get("content-type")).isEqualTo("text/plain");
        assertThat(h.get(HttpHeaderNames.HOST)).isEqualTo("h");
        assertThat(h.getAll("X-a")).containsExactly("1", "2");
        assertThat(h.getAll("missing")).isEmpty();
        assertThat(h.contains("HOST")).isTrue();
        assertThat(h.contains("Hos")).isFalse();
        assertThat(lines(h)).containsExactly("Content-Type: text/plain", "X-A: 1", "x-a: 2", "Host: h");
        assertThat(h.size()).isEqualTo(4);
        assertThat(h.names()).containsExactly("Content-Type", "X-A", "x-a", "Host");
    }

    @Test
    void theNameObjectAddedIsTheOneKept() {
        AsciiString interned = AsciiString.cached("Via");
        ArrayHttpHeaders h = headers();
        h.add(interned, "1.1 a");
        assertThat(h.nameAt(0)).isSameAs(interned);
        assertThat(h.valueAt(0)).hasToString("1.1 a");
    }

    @Test
    void setReplacesEveryValueAndGoesLastRemoveCompacts() {
        HttpHeaders h = headers().add("A", "1").add("B", "2").add("a", "3").add("C", "4");
        h.set("A", "9");
        assertThat(lines(h)).containsExactly("B: 2", "C: 4", "A: 9");
        h.add("b", "5").remove("B");
        assertThat(lines(h)).containsExactly("C: 4", "A: 9");
        h.remove("absent");
        assertThat(h.size()).isEqualTo(2);
        h.clear();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.get("A")).isNull();
    }

    @Test
    void growsPastItsFirstArrayAndCopiesAreIndependent() {
        ArrayHttpHeaders h = headers();
        for (int i = 0; i < 40; i++) {
            h.add("X-" + i, Integer.toString(i));
        }
        HttpHeaders copy = h.copy();
        h.remove("X-0");
        assertThat(copy.size()).isEqualTo(40);
        assertThat(copy.get("x-0")).isEqualTo("0");
        assertThat(h.size()).isEqualTo(39);
        assertThat(h.get("X-39")).isEqualTo("39");
    }

    @Test
    void valuesMatchExactlyOrAsCommaSeparatedElements() {
        HttpHeaders h = headers().add("Connection", "keep-alive, Upgrade").add("Transfer-Encoding", "gzip,\tCHUNKED");
        assertThat(h.containsValue("connection", "upgrade", true)).isTrue();
        assertThat(h.containsValue("connection", "upgrade", false)).isFalse();
        assertThat(h.containsValue("transfer-encoding", "chunked", true)).isTrue();
        assertThat(h.containsValue("transfer-encoding", "chunk", true)).isFalse();
        assertThat(h.contains("Connection", "keep-alive", true)).isFalse(); // the whole value, as Netty's
        assertThat(h.contains("Connection", "KEEP-ALIVE, upgrade", true)).isTrue();
        assertThat(h.contains("Connection", "KEEP-ALIVE, upgrade", false)).isFalse();
    }

    @Test
    void typedValuesConvertAsNettysDo() {
        Date epoch = new Date(784111777000L);
        HttpHeaders h = headers().addInt("Content-Length", 42).add("Date", epoch).setShort("X-S", (short) 7);
        HttpHeaders netty = new DefaultHttpHeaders().addInt("Content-Length", 42).add("Date", epoch);
        assertThat(h.get("date")).isEqualTo(netty.get("date")).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(h.getInt("content-length")).isEqualTo(42);
        assertThat(h.getShort("x-s")).isEqualTo((short) 7);
        assertThat(h.getTimeMillis("Date")).isEqualTo(784111777000L);
        assertThat(h.getInt("Date")).isNull();
        assertThat(h.getInt("Absent", -1)).isEqualTo(-1);
    }

    @Test
    void validatingHeadersRefuseWhatNettysRefuseAndKeepTheOldValue() {
        HttpHeaders h = headers().add("X", "ok");
        assertThatThrownBy(() -> h.add("X", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prohibited character 0xd");
        assertThatThrownBy(() -> h.set("X", "a\u0000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("Bad Name", "1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"token\"");
        assertThatThrownBy(() -> h.add("", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(lines(h)).containsExactly("X: ok");
        assertThat(new ArrayHttpHeaders(HeaderValidation.NONE).add("Bad Name", "a\r\n").size()).isEqualTo(1);
    }

    @Test
    void trailersRefuseFramingFields() {
        HttpHeaders t = ArrayHttpHeaders.TRAILERS.newHeaders();
        t.add("grpc-status", "0");
        for (String framing : new String[] {"Content-Length", "transfer-encoding", "Trailer"}) {
            assertThatThrownBy(() -> t.add(framing, "1")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prohibited trailing header");
            assertThatThrownBy(() -> DefaultHttpHeadersFactory.trailersFactory().newHeaders().add(framing, "1"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ArrayHttpHeaders.FIELDS.newHeaders().add("Content-Length", "1").size()).isEqualTo(1);
    }

    @Test
    void iteratorRemoveTakesTheFieldLastReturned() {
        HttpHeaders h = headers().add("A", "1").add("B", "2").add("C", "3");
        Iterator<Map.Entry<String, String>> it = h.iteratorAsString();
        while (it.hasNext()) {
            if (it.next().getKey().equals("B")) {
                it.remove();
            }
        }
        assertThat(lines(h)).containsExactly("A: 1", "C: 3");
        assertThat(h.entries()).extracting(Map.Entry::getKey).containsExactly("A", "C");
    }

    /** Random operations on both containers: every answer and the final order agree. */
    @Test
    void randomOperationsGiveNettysAnswers() {
        String[] names = {"Host", "host", "X-A", "x-a", "Accept", "Via", "Content-Type"};
        SplittableRandom random = new SplittableRandom(15);
        for (int round = 0; round < 200; round++) {
            HttpHeaders ours = headers();
            HttpHeaders netty = new DefaultHttpHeaders();
            for (int op = 0; op < 30; op++) {
                String name = names[random.nextInt(names.length)];
                String value = "v" + random.nextInt(3);
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        ours.add(name, value);
                        netty.add(name, value);
                    }
                    case 2 -> {
                        ours.set(name, value);
                        netty.set(name, value);
                    }
                    default -> {
                        ours.remove(name);
                        netty.remove(name);
                    }
                }
                assertThat(ours.get(name)).isEqualTo(netty.get(name));
                assertThat(ours.getAll(name)).isEqualTo(netty.getAll(name));
                assertThat(ours.contains(name, value, true)).isEqualTo(netty.contains(name, value, true));
                assertThat(ours.size()).isEqualTo(netty.size());
                assertThat(ArrayHttpHeaders.count(ours, name)).isEqualTo(netty.getAll(name).size());
                assertThat(ArrayHttpHeaders.count(netty, name)).isEqualTo(netty.getAll(name).size());
            }
            assertThat(lines(ours)).isEqualTo(lines(netty));
        }
    }
}
