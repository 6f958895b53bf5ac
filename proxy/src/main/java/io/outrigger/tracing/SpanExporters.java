package io.outrigger.tracing;

import io.opentelemetry.exporter.logging.otlp.internal.traces.OtlpStdoutSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.outrigger.config.AccessLogConfig;
import io.outrigger.config.TracingConfig;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/** Builds the configured OpenTelemetry span exporter; every one of them runs on the batch processor's thread. */
final class SpanExporters {
    private SpanExporters() {
    }

    /**
     * @throws UncheckedIOException when the {@code log} exporter's file cannot be opened for appending
     */
    static SpanExporter create(TracingConfig config) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, config.exportTimeout().toMillis());
        TracingConfig.Exporter e = config.exporter();
        if (e instanceof TracingConfig.Zipkin z) {
            // HttpURLConnection instead of the default OkHttp: no Kotlin runtime in the jar
            URLConnectionSender sender = URLConnectionSender.newBuilder().endpoint(z.endpoint())
                    .connectTimeout(timeoutMs).readTimeout(timeoutMs).build();
            return ZipkinSpanExporter.builder().setSender(sender).build();
        }
        if (e instanceof TracingConfig.Otlp o) {
            OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(o.endpoint())
                    .setTimeout(config.exportTimeout());
            o.headers().forEach(b::addHeader);
            return b.build();
        }
        TracingConfig.Log log = (TracingConfig.Log) e;
        // OTLP JSON, one ExportTraceServiceRequest per line. The builder is in the exporter's internal package
        // (the public OtlpJsonLoggingSpanExporter can only write to java.util.logging); the BOM pins its version.
        return OtlpStdoutSpanExporter.builder().setOutput(new LineOutputStream(open(log.path()))).build();
    }

    private static OutputStream open(String path) {
        if (AccessLogConfig.STDOUT.equals(path)) {
            return System.out;
        }
        try {
            Path p = Path.of(path);
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            return new FileOutputStream(p.toFile(), true);
        } catch (IOException ex) {
            throw new UncheckedIOException("tracing log exporter: cannot open " + path, ex);
        }
    }

    /**
     * Collects bytes until a newline and hands each whole line to the target in one write, so span lines never
     * interleave with log lines written to the same stdout by other threads. Used by one thread (the exporter's).
     */
    static final class LineOutputStream extends OutputStream {
        private final OutputStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

        LineOutputStream(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                drain();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            line.write(b, off, len);
            if (len > 0 && b[off + len - 1] == '\n') {
                drain();
            }
        }

        private void drain() throws IOException {
            line.writeTo(target);
            target.flush();
            line.reset();
        }

        @Override
        public void flush() throws IOException {
            // whole lines only: a partial line waits for its newline
        }

        @Override
        public void close() throws IOException {
            if (line.size() > 0) {
                line.write('\n');
                drain();
            }
            if (target != System.out && target != System.err) {
                target.close();
            }
        }
    }
}
