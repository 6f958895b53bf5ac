package io.outrigger.filter.compressor;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.github.luben.zstd.ZstdInputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** compressor: which responses are compressed, the headers it sets, and streamed output that decodes back. */
class CompressorFilterTest {
    private final CompressorFilterFactory factory = new CompressorFilterFactory();

    private CompressorConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(n -> null).read("c.yaml", yaml, "empty", factory::parse);
    }

    private List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    /** Runs a response through the filter as the filter manager would, collecting what goes downstream. */
    private static final class Run implements StreamEncoderFilterCallbacks, io.outrigger.filter.StreamDecoderFilterCallbacks {
        final java.util.Map<String, java.util.Map<String, Object>> metadata = new java.util.HashMap<>();
        final CompressorFilter filter;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf current;

        Run(CompressorConfig c, String acceptEncoding, HttpMethod method) {
            filter = new CompressorFilter(c);
            filter.setEncoderFilterCallbacks(this);
            filter.setDecoderFilterCallbacks(this);
            DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
            if (acceptEncoding != null) {
                req.headers().set("accept-encoding", acceptEncoding);
            }
            filter.decodeHeaders(req, true);
        }

        HttpResponse headers(String contentType, String... more) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            if (contentType != null) {
                r.headers().set("content-type", contentType);
            }
            for (int i = 0; i < more.length; i += 2) {
                r.headers().set(more[i], more[i + 1]);
            }
            filter.encodeHeaders(r, false);
            return r;
        }

        void data(String chunk, boolean end) {
            current = Unpooled.copiedBuffer(chunk, StandardCharsets.UTF_8);
            filter.encodeData(current, end);
            out.writeBytes(ByteBufUtil.getBytes(current));
            current.release();
            current = null;
        }

        void trailers() {
            filter.encodeTrailers(new DefaultHttpHeaders());
        }

        @Override
        public void replaceEncodingData(ByteBuf data) {
            current.release();
            current = data;
        }

        @Override
        public void addEncodedDataBeforeTrailers(ByteBuf data) {
            out.writeBytes(ByteBufUtil.getBytes(data));
            data.release();
        }

        @Override
        public void continueEncoding() {
        }

        @Override
        public void continueDecoding() {
        }

        @Override
        public void setDynamicMetadata(String namespace, String key, Object value) {
            metadata.computeIfAbsent(namespace, n -> new java.util.HashMap<>()).put(key, value);
        }

        @Override
        public StreamInfo streamInfo() {
            return new StreamInfo() {
                @Override
                public java.net.SocketAddress downstreamRemoteAddress() {
                    return null;
                }

                @Override
                public String protocol() {
                    return "HTTP/1.1";
                }

                @Override
                public String listenerName() {
                    return "l";
                }

                @Override
                public java.util.Map<String, Object> dynamicMetadata(String namespace) {
                    return metadata.getOrDefault(namespace, java.util.Map.of());
                }
            };
        }

        @Override
        public void sendLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, Consumer<HttpHeaders> m) {
        }
    }

    private static String gunzip(byte[] b) throws Exception {
        return new String(new GZIPInputStream(new ByteArrayInputStream(b)).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aJsonResponseStreamsGzippedChunkByChunkWithItsHeadersAdjusted() throws Exception {
        CompressorConfig c = parse("compressor_library: { name: gzip }\n");
        Run run = new Run(c, "br;q=0.9, gzip", HttpMethod.GET);
        HttpResponse r = run.headers("application/json; charset=utf-8", "content-length", "1000", "etag", "\"v1\"");
        assertThat(r.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(r.headers().contains("content-length")).isFalse();
        assertThat(r.headers().get("etag")).isEqualTo("W/\"v1\"");
        assertThat(r.headers().getAll("vary")).contains("accept-encoding");
        run.data("{\"items\": [", false);
        int afterFirst = run.out.size();
        assertThat(afterFirst).as("the first chunk leaves at once (sync flush)").isPositive();
        assertThat(gunzipPrefix(run.out.toByteArray())).isEqualTo("{\"items\": [");
        run.data("1, 2, 3", false);
        run.data("]}", true);
        assertThat(gunzip(run.out.toByteArray())).isEqualTo("{\"items\": [1, 2, 3]}");
        assertThat(c.stats().compressed().sum()).isPositive();
    }

    /** What a gzip stream cut after a sync flush decodes to (no trailer yet). */
    private static String gunzipPrefix(byte[] b) throws Exception {
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        inf.setInput(b, 10, b.length - 10); // past the 10-byte gzip header (RFC 1952 §2.3)
        byte[] out = new byte[1024];
        int n = inf.inflate(out);
        inf.end();
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void brotliAndZstdDecodeBackAndTrailersGetTheCodingsLastBytesBeforeThem() throws Exception {
        Run br = new Run(parse("compressor_library: { name: brotli, quality: 5 }\n"), "gzip, br", HttpMethod.GET);
        assertThat(br.headers("text/html").headers().get("content-encoding")).isEqualTo("br");
        br.data("<html>hello ", false);
        br.data("world</html>", false);
        br.trailers();
        byte[] plain = Decoder.decompress(br.out.toByteArray()).getDecompressedData();
        assertThat(Decoder.decompress(br.out.toByteArray()).getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("<html>hello world</html>");

        Run zstd = new Run(parse("compressor_library: { name: zstd }\n"), "zstd", HttpMethod.GET);
        assertThat(zstd.headers("text/plain").headers().get("content-encoding")).isEqualTo("zstd");
        zstd.data("a".repeat(500), false);
        zstd.data("b".repeat(500), true);
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(zstd.out.toByteArray()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a".repeat(500) + "b".repeat(500));
        }
    }

    @Test
    void responsesThatMustNotBeCompressedPassUntouched() throws Exception {
        CompressorConfig c = parse("compressor_library: { name: gzip }\nresponse_direction_config: { common_config: "
                + "{ min_content_length: 100, content_type: [ text/event-stream, application/grpc, application/json ] } }\n");
        assertThat(new Run(c, "gzip", HttpMethod.GET).headers("text/event-stream").headers().contains("content-encoding"))
                .as("server-sent events, even when listed").isFalse();
        assertThat(new Run(c, "gzip", HttpMethod.GET).headers("application/grpc").headers().contains("content-encoding"))
                .as("gRPC, even when listed").isFalse();
        assertThat(new Run(c, "gzip", HttpMethod.GET).headers("text/html").headers().contains("content-encoding"))
                .as("a type not listed").isFalse();
        HttpResponse small = new Run(c, "gzip", HttpMethod.GET).headers("application/json", "content-length", "99");
        assertThat(small.headers().contains("content-encoding")).as("shorter than min_content_length").isFalse();
        assertThat(small.headers().getAll("vary")).as("a cache still keys on Accept-Encoding").contains("accept-encoding");
        assertThat(new Run(c, "gzip;q=0, br", HttpMethod.GET).headers("application/json").headers()
                .contains("content-encoding")).as("refused with q=0").isFalse();
        assertThat(new Run(c, null, HttpMethod.GET).headers("application/json").headers().contains("content-encoding"))
                .as("no Accept-Encoding").isFalse();
        assertThat(new Run(c, "*", HttpMethod.GET).headers("application/json").headers().get("content-encoding"))
                .as("* covers it").isEqualTo("gzip");
        assertThat(new Run(c, "gzip", HttpMethod.HEAD).headers("application/json").headers().contains("content-encoding"))
                .as("HEAD").isFalse();
        assertThat(new Run(c, "gzip", HttpMethod.GET).headers("application/json", "content-encoding", "br").headers()
                .get("content-encoding")).as("already encoded").isEqualTo("br");
        assertThat(new Run(c, "gzip", HttpMethod.GET).headers("application/json", "cache-control", "no-transform")
                .headers().contains("content-encoding")).as("no-transform").isFalse();
    }

    @Test
    void acceptEncodingWeights() {
        assertThat(AcceptEncoding.accepts("gzip, deflate, br", "br")).isTrue();
        assertThat(AcceptEncoding.accepts("gzip;q=0.5", "gzip")).isTrue();
        assertThat(AcceptEncoding.accepts("GZIP;Q=0", "gzip")).isFalse();
        assertThat(AcceptEncoding.accepts("*;q=0.1, gzip;q=0", "gzip")).isFalse();
        assertThat(AcceptEncoding.accepts("*;q=0.1", "zstd")).isTrue();
        assertThat(AcceptEncoding.weight("gzip;q=0.5, br, *;q=0.2", "gzip")).isEqualTo(0.5);
        assertThat(AcceptEncoding.weight("gzip;q=0.5, br, *;q=0.2", "br")).isEqualTo(1.0);
        assertThat(AcceptEncoding.weight("gzip;q=0.5, br, *;q=0.2", "zstd")).isEqualTo(0.2);
        assertThat(AcceptEncoding.weight("gzip", "zstd")).isZero();
        assertThat(AcceptEncoding.accepts("identity", "gzip")).isFalse();
        assertThat(AcceptEncoding.accepts("gzip;q=banana", "gzip")).isFalse();
    }

    @Test
    void mistakesAreLocated() {
        assertThat(errors("compressor_library: { name: lzma }\n")).containsExactly(
                "c.yaml:1:29: compressor_library.name: 'lzma' (expected: one of gzip, brotli, zstd)");
        assertThat(errors("compressor_library: { name: gzip, compression_level: 12, window_bits: 12 }\n")).containsExactly(
                "c.yaml:1:54: compressor_library.compression_level: '12' (expected: an integer between 1 and 9)");
        assertThat(errors("response_direction_config: {}\n")).containsExactly(
                "c.yaml:1:1: missing required key 'compressor_library'");
    }
}
