package io.outrigger.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.semconv.ServiceAttributes;
import io.outrigger.config.TracingConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Distributed tracing with the OpenTelemetry SDK: one {@link SpanKind#SERVER} span per downstream request
 * and one {@link SpanKind#CLIENT} span per upstream attempt, with the HTTP semantic-convention attributes.
 * Trace context is read from W3C Trace Context ({@code traceparent}/{@code tracestate}) and Zipkin B3 (single
 * {@code b3} and multi-header) and written upstream in the configured formats. Finished spans go to a batch
 * processor whose own thread exports them: a slow or unreachable backend never blocks an event loop, and
 * spans that do not fit in its queue are dropped and counted.
 *
 * <p>Thread-safe; one instance per configuration. {@link #DISABLED} does nothing and allocates nothing.
 */
public final class Tracing implements AutoCloseable {
    /** Tracing off: spans are {@link Span#getInvalid()}, headers are left alone. */
    public static final Tracing DISABLED = new Tracing();

    /** Every trace header a propagator here reads or writes: replaced on the upstream request. */
    private static final List<AsciiString> TRACE_HEADERS = List.of(AsciiString.cached("traceparent"),
            AsciiString.cached("tracestate"), AsciiString.cached("b3"), AsciiString.cached("x-b3-traceid"),
            AsciiString.cached("x-b3-spanid"), AsciiString.cached("x-b3-parentspanid"),
            AsciiString.cached("x-b3-sampled"), AsciiString.cached("x-b3-flags"));

    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;
    private final Tracer tracer;
    private final TextMapPropagator extractor;
    private final TextMapPropagator injector;
    private final CountingSpanExporter exporter;
    private final ProcessorStatsReader processorStats;
    private final String description;

    private Tracing() {
        tracerProvider = null;
        meterProvider = null;
        tracer = null;
        extractor = null;
        injector = null;
        exporter = null;
        processorStats = null;
        description = "disabled";
    }

    /** @param spanExporter where sampled spans go (the configured exporter; tests pass their own) */
    Tracing(TracingConfig config, SpanExporter spanExporter) {
        processorStats = new ProcessorStatsReader();
        meterProvider = SdkMeterProvider.builder().registerMetricReader(processorStats).build();
        exporter = new CountingSpanExporter(spanExporter);
        BatchSpanProcessor batch = BatchSpanProcessor.builder(exporter)
                .setMaxQueueSize(config.maxQueueSize())
                .setMaxExportBatchSize(config.maxExportBatchSize())
                .setScheduleDelay(config.scheduleDelay())
                .setExporterTimeout(config.exportTimeout())
                .setMeterProvider(meterProvider)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
                .build();
        tracerProvider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(ServiceAttributes.SERVICE_NAME, config.serviceName()))))
                .setSampler(new ForcedSampler(config.sampling()))
                .addSpanProcessor(batch)
                .build();
        tracer = tracerProvider.get("io.outrigger");
        // B3Propagator extracts both the single and the multi-header form whichever it injects. A composite's
        // later member overrides an earlier one's valid context, so W3C, listed last, wins when both are sent.
        extractor = TextMapPropagator.composite(B3Propagator.injectingMultiHeaders(), W3CTraceContextPropagator.getInstance());
        List<TextMapPropagator> out = new ArrayList<>();
        for (TracingConfig.Propagation p : config.propagation()) {
            out.add(switch (p) {
                case W3C -> W3CTraceContextPropagator.getInstance();
                case B3 -> B3Propagator.injectingSingleHeader();
                case B3_MULTI -> B3Propagator.injectingMultiHeaders();
            });
        }
        injector = TextMapPropagator.composite(out);
        description = "sampling " + config.sampling() + ", propagation " + config.propagation() + ", exporter " + config.exporter();
    }

    /**
     * Starts tracing for a configuration.
     *
     * @param config {@code null}: {@link #DISABLED}
     * @throws java.io.UncheckedIOException when a {@code log} exporter's file cannot be opened
     */
    public static Tracing create(TracingConfig config) {
        return config == null ? DISABLED : new Tracing(config, SpanExporters.create(config));
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * Starts the server span of a downstream request, as a child of the trace context in its headers (W3C or
     * B3; an invalid header is ignored and a new trace starts).
     *
     * @param request     the request as received (headers already sanitised)
     * @param protocol    {@code 1.0}, {@code 1.1} or {@code 2} ({@code network.protocol.version})
     * @param scheme      {@code http} or {@code https}
     * @param forceTrace  {@code x-client-trace-id} came from an internal address: sample whatever the ratio
     * @return the span; {@link Span#getInvalid()} when disabled. Never {@code null}
     */
    public Span startServerSpan(HttpRequest request, String protocol, String scheme, SocketAddress remote,
                                String listener, boolean forceTrace) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        HttpHeaders h = request.headers();
        Context parent = extractor.extract(Context.root(), h, HttpHeadersTextMap.INSTANCE);
        if (forceTrace) {
            parent = parent.with(ForcedSampler.FORCE, Boolean.TRUE);
        }
        String method = request.method().name();
        Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
        if (span.isRecording()) { // an unsampled span only carries its context on: no attributes to build
            HttpSpanAttributes.onServerStart(span, request, protocol, scheme, remote, listener, forceTrace);
        }
        return span;
    }

    /**
     * Ends a server span with the outcome of its stream.
     *
     * @param responseCode 0 when no response was sent
     * @param route        the matched route's path condition ({@code http.route}), or {@code null} (none matched)
     * @param flags        Envoy response flags such as {@code UF,URX}, or {@code null}
     */
    public void endServerSpan(Span span, String method, int responseCode, String route, String requestId, String cluster,
                              String upstreamHost, String flags) {
        if (span.isRecording()) {
            HttpSpanAttributes.onServerEnd(span, method, responseCode, route, requestId, cluster, upstreamHost, flags);
        }
        span.end(); // a no-op for invalid and unsampled spans
    }

    /**
     * Starts the client span of one upstream attempt and writes its context into the upstream request's
     * headers (replacing any incoming trace headers), in the configured formats.
     *
     * @param attempt 1 for the first try; retries are siblings with higher numbers
     * @return the span; {@link Span#getInvalid()} when disabled (headers untouched)
     */
    public Span startClientSpan(Span parent, HttpRequest request, String cluster, InetSocketAddress host, int attempt) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        if (!parent.isRecording() && parent.getSpanContext().isValid()) {
            // An unsampled trace stays unsampled (parent-based): no attempt span would ever be recorded, so the
            // upstream just gets the trace's context, and an ID, a span and a header string per attempt are saved.
            inject(parent, request.headers());
            return parent;
        }
        String method = request.method().name();
        Span span = tracer.spanBuilder(method).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(parent)).startSpan();
        if (span.isRecording()) {
            HttpSpanAttributes.onClientStart(span, method, request.uri(), cluster, host, attempt);
        }
        inject(span, request.headers());
        return span;
    }

    // Replaces every incoming trace header with the given span's context, in the configured formats.
    private void inject(Span span, HttpHeaders h) {
        for (AsciiString name : TRACE_HEADERS) {
            h.remove(name);
        }
        injector.inject(Context.root().with(span), h, HttpHeadersTextMap.INSTANCE);
    }

    /**
     * Ends an attempt's span.
     *
     * @param status    the upstream's response code, or 0 when none came
     * @param errorType why the attempt failed ({@code timeout}, {@code connect_failure}, ...), or {@code null}
     */
    public static void endClientSpan(Span span, int status, String errorType) {
        if (span.isRecording()) {
            HttpSpanAttributes.onClientEnd(span, status, errorType);
        }
        span.end();
    }

    /**
     * Marks the attempt whose response answered a hedged request ({@code outrigger.hedge_winner=true}); its sibling
     * attempts end with {@code error.type=hedge lost}.
     */
    public static void markHedgeWinner(Span span) {
        if (span.isRecording()) {
            span.setAttribute(HttpSpanAttributes.HEDGE_WINNER, true);
        }
    }

    /** Marks a request mirror's copy ({@code outrigger.shadow=true}): a sibling of the real attempts. */
    public static void markShadow(Span span) {
        if (span.isRecording()) {
            span.setAttribute(HttpSpanAttributes.SHADOW, true);
        }
    }

    /** Spans handed to the exporter and delivered. */
    public long spansSent() {
        return exporter == null ? 0 : exporter.sent.sum();
    }

    /** Spans whose export failed (backend unreachable, timed out or refused them). */
    public long spansFailed() {
        return exporter == null ? 0 : exporter.failed.sum();
    }

    /** Spans dropped before export because the queue was full. */
    public long spansDropped() {
        return processorStats == null ? 0 : processorStats.droppedQueueFull();
    }

    @Override
    public String toString() {
        return description;
    }

    /** Exports what is queued now, waiting up to 5 s. */
    void flush() {
        if (tracerProvider != null) {
            tracerProvider.forceFlush().join(5, TimeUnit.SECONDS);
        }
    }

    /** Exports what is queued (waiting up to 5 s) and stops the exporter thread. */
    @Override
    public void close() {
        if (tracerProvider != null) {
            tracerProvider.shutdown().join(5, TimeUnit.SECONDS);
            meterProvider.shutdown().join(1, TimeUnit.SECONDS);
        }
    }
}
