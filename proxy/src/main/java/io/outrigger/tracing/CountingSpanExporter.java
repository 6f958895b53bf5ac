package io.outrigger.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/** Counts spans an exporter delivered and spans whose export failed (collector down, timeout, rejected). */
final class CountingSpanExporter implements SpanExporter {
    private final SpanExporter delegate;
    final LongAdder sent = new LongAdder();
    final LongAdder failed = new LongAdder();

    CountingSpanExporter(SpanExporter delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result;
        try {
            result = delegate.export(spans);
        } catch (RuntimeException e) {
            failed.add(n);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> (result.isSuccess() ? sent : failed).add(n));
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
