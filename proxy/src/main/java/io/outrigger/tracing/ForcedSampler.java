package io.outrigger.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * Parent-based ratio sampling (OpenTelemetry's {@code parentbased_traceidratio}) with a debugging override:
 * a span started with {@link #FORCE} set in its parent context is always recorded and sampled, like
 * Envoy's forced tracing for {@code x-client-trace-id} from a trusted caller.
 */
final class ForcedSampler implements Sampler {
    /** Put {@code true} in the parent context to force sampling. */
    static final ContextKey<Boolean> FORCE = ContextKey.named("outrigger-force-trace");

    private final Sampler delegate;
    private final double ratio;

    /** @param ratio fraction of new traces (without a parent) to sample, in [0, 1] */
    ForcedSampler(double ratio) {
        this.ratio = ratio;
        this.delegate = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        if (Boolean.TRUE.equals(parentContext.get(FORCE))) {
            return SamplingResult.recordAndSample();
        }
        return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "ForcedSampler{x-client-trace-id, parentbased_traceidratio=" + ratio + "}";
    }
}
