package io.outrigger.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Distributed tracing ({@code tracing:}): one OpenTelemetry server span per downstream request and one
 * client span per upstream attempt. Without a {@code tracing} key nothing is traced (trace headers still
 * pass through untouched).
 *
 * @param sampling            fraction of new traces (no sampled parent) that are recorded, in [0, 1];
 *                            default 1.0 (Envoy's {@code random_sampling} default, 100%). Parent-based: an
 *                            incoming sampled/unsampled flag wins; {@code x-client-trace-id} from an internal
 *                            address forces sampling
 * @param serviceName         the {@code service.name} resource attribute; default {@code outrigger}
 * @param propagation         the header formats put on upstream requests, default {@code [w3c]}; every format is
 *                            read from downstream, and the incoming trace headers are replaced by these
 * @param exporter            where finished spans go; default {@link Log} to stdout
 * @param maxQueueSize        spans waiting for export before new ones are dropped (and counted); default 2048
 * @param maxExportBatchSize  spans per export call; default 512
 * @param scheduleDelay       longest wait before a partial batch is exported; default 1s
 * @param exportTimeout       longest one export may take; default 10s
 */
public record TracingConfig(double sampling, String serviceName, List<Propagation> propagation, Exporter exporter,
                            int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay, Duration exportTimeout) {
    public static final String DEFAULT_SERVICE_NAME = "outrigger";

    public TracingConfig {
        propagation = List.copyOf(propagation);
        if (propagation.isEmpty()) {
            throw new IllegalArgumentException("propagation: [] (expected: at least one of w3c, b3, b3multi)");
        }
        if (!(sampling >= 0 && sampling <= 1)) {
            throw new IllegalArgumentException("sampling: " + sampling + " (expected: between 0 and 1)");
        }
        if (maxExportBatchSize > maxQueueSize) {
            throw new IllegalArgumentException("max_export_batch_size: " + maxExportBatchSize
                    + " (expected: at most max_queue_size, " + maxQueueSize + ")");
        }
    }

    /** Outgoing trace-context header formats. */
    public enum Propagation {
        /** W3C Trace Context: {@code traceparent} and {@code tracestate}. */
        W3C,
        /** Zipkin B3, single header {@code b3}. */
        B3,
        /** Zipkin B3, one header per field ({@code X-B3-TraceId}, ...). */
        B3_MULTI
    }

    /** A span exporter. */
    public sealed interface Exporter permits Zipkin, Otlp, Log {
    }

    /**
     * Zipkin v2 JSON over HTTP.
     *
     * @param endpoint e.g. {@code http://127.0.0.1:9411/api/v2/spans}
     */
    public record Zipkin(String endpoint) implements Exporter {
    }

    /**
     * OTLP over HTTP with protobuf bodies (an OpenTelemetry Collector's port 4318).
     *
     * @param endpoint e.g. {@code http://127.0.0.1:4318/v1/traces}
     * @param headers  extra request headers (e.g. an API key)
     */
    public record Otlp(String endpoint, Map<String, String> headers) implements Exporter {
        public Otlp {
            headers = Map.copyOf(headers);
        }
    }

    /**
     * OTLP JSON, one line per exported batch.
     *
     * @param path a file appended to, or {@code /dev/stdout}
     */
    public record Log(String path) implements Exporter {
        public static final Log STDOUT = new Log(AccessLogConfig.STDOUT);
    }
}
