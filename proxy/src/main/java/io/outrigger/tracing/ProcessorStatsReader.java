package io.outrigger.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * A pull {@link MetricReader} for the batch span processor's own telemetry (OpenTelemetry semantic
 * conventions, {@code otel.sdk.processor.span.*}): read on demand when Prometheus scrapes, so spans dropped
 * because the export queue was full are counted without a second metrics pipeline.
 */
final class ProcessorStatsReader implements MetricReader {
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    /** Spans the processor dropped because its queue was full (cumulative). */
    long droppedQueueFull() {
        long total = 0;
        for (MetricData m : registration.collectAllMetrics()) {
            if (m.getName().equals("otel.sdk.processor.span.processed") && m.getType() == MetricDataType.LONG_SUM) {
                for (LongPointData p : m.getLongSumData().getPoints()) {
                    if ("queue_full".equals(p.getAttributes().get(ERROR_TYPE))) {
                        total += p.getValue();
                    }
                }
            }
        }
        return total;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
