package io.outrigger.filter.decompressor;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** decompressor: bodies in its coding come out plain, headers follow, bad or explosive bodies are refused. */
class DecompressorFilterTest {
    private DecompressorFilterFactory.Settings parse(String yaml) throws ConfigException {
        return new ConfigLoader(n -> null).read("d.yaml", yaml, "empty", new DecompressorFilterFactory()::parse);
    }

    private static byte[] gzip(byte[] plain) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(plain);
        }
        return b.toByteArray();
    }

    /** The filter manager's side: replaced chunks and local replies. */
    private static final class Callbacks implements StreamDecoderFilterCallbacks, StreamEncoderFilterCallbacks {
        ByteBuf current;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpResponseStatus replied;
        ResponseFlag flag;

        FilterDataStatus push(java.util.function.BiFunction<ByteBuf, Boolean, FilterDataStatus> f, byte[] chunk, boolean end) {
            current = Unpooled.wrappedBuffer(chunk);
            FilterDataStatus s = f.apply(current, end);
            out.writeBytes(ByteBufUtil.getBytes(current));
            current.release();
            return s;
        }

        @Override
        public void replaceDecodingData(ByteBuf data) {
            current.release();
            current = data;
        }

        @Override
        public void replaceEncodingData(ByteBuf data) {
            current.release();
            current = data;
        }

        @Override
        public void continueDecoding() {
        }

        @Override
        public void continueEncoding() {
        }

        @Override
        public StreamInfo streamInfo() {
            return null;
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> m) {
            replied = status;
            this.flag = flag;
        }
    }

    @Test
    void aGzippedRequestBodyArrivesPlainAndTheUpstreamIsToldGzipIsAccepted() throws Exception {
        DecompressorFilter f = new DecompressorFilter(parse("decompressor_library: { name: gzip }\n"));
        Callbacks c = new Callbacks();
        f.setDecoderFilterCallbacks(c);
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        r.headers().set("content-encoding", "gzip").set("content-length", "99").set("accept-encoding", "br");
        f.decodeHeaders(r, false);
        assertThat(r.headers().contains("content-encoding")).isFalse();
        assertThat(r.headers().contains("content-length")).isFalse();
        assertThat(r.headers().get("accept-encoding")).isEqualTo("br, gzip");
        byte[] body = gzip("hello, decompressed world".repeat(100).getBytes(StandardCharsets.UTF_8));
        int half = body.length / 2;
        c.push(f::decodeData, java.util.Arrays.copyOfRange(body, 0, half), false);
        c.push(f::decodeData, java.util.Arrays.copyOfRange(body, half, body.length), true);
        assertThat(c.out.toString(StandardCharsets.UTF_8)).isEqualTo("hello, decompressed world".repeat(100));
        assertThat(c.replied).isNull();
    }

    @Test
    void onlyTheOutermostCodingIsUndoneAndOtherCodingsPass() throws Exception {
        DecompressorFilter f = new DecompressorFilter(parse("decompressor_library: { name: gzip }\n"));
        Callbacks c = new Callbacks();
        f.setEncoderFilterCallbacks(c);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("content-encoding", "br, gzip");
        f.encodeHeaders(r, false);
        assertThat(r.headers().get("content-encoding")).isEqualTo("br");
        HttpResponse other = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        other.headers().set("content-encoding", "gzip, br").set("content-length", "10");
        DecompressorFilter g = new DecompressorFilter(parse("decompressor_library: { name: gzip }\n"));
        g.setEncoderFilterCallbacks(c);
        g.encodeHeaders(other, false);
        assertThat(other.headers().get("content-encoding")).isEqualTo("gzip, br");
        assertThat(other.headers().get("content-length")).isEqualTo("10");
        f.onDestroy();
    }

    @Test
    void anInvalidRequestBodyGets400AndABombIsStopped() throws Exception {
        DecompressorFilterFactory.Settings s = parse("decompressor_library: { name: gzip }\n");
        DecompressorFilter f = new DecompressorFilter(s);
        Callbacks c = new Callbacks();
        f.setDecoderFilterCallbacks(c);
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        r.headers().set("content-encoding", "gzip");
        f.decodeHeaders(r, false);
        assertThat(c.push(f::decodeData, "not gzip at all".getBytes(StandardCharsets.US_ASCII), true))
                .isEqualTo(FilterDataStatus.STOP_ITERATION_AND_BUFFER);
        assertThat(c.replied).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(c.flag).isEqualTo(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);

        DecompressorFilter bomb = new DecompressorFilter(s);
        Callbacks b = new Callbacks();
        bomb.setEncoderFilterCallbacks(b);
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set("content-encoding", "gzip");
        bomb.encodeHeaders(resp, false);
        byte[] zeros = gzip(new byte[8 << 20]); // 8 MiB of zeros: about 8 KiB compressed, ~1000:1
        assertThat(b.push(bomb::encodeData, zeros, true)).isEqualTo(FilterDataStatus.STOP_ITERATION_AND_BUFFER);
        assertThat(b.replied).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
        assertThat(s.stats().responseFailed().sum()).isPositive();
    }
}
