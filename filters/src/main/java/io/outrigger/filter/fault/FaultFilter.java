package io.outrigger.filter.fault;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Envoy's fault injection: a request may be delayed (its headers and body held, then passed on) and then aborted
 * (answered locally with an HTTP or gRPC status, flag FI), each with its percentage, or as request headers say when
 * the config lets them ({@code header_delay}, {@code header_abort}). At most {@code max_active_faults} at once. Time
 * is the stream's event loop's; randomness is injected. One per stream.
 */
final class FaultFilter implements StreamDecoderFilter {
    static final String NAME = "fault";
    static final String DELAY_HEADER = "x-outrigger-fault-delay-request";
    static final String DELAY_PERCENT_HEADER = "x-outrigger-fault-delay-request-percentage";
    static final String ABORT_HEADER = "x-outrigger-fault-abort-request";
    static final String ABORT_GRPC_HEADER = "x-outrigger-fault-abort-grpc-request";
    static final String ABORT_PERCENT_HEADER = "x-outrigger-fault-abort-request-percentage";
    private static final int MILLION = 1_000_000;

    private final FaultConfig listenerConfig;
    private final RandomGenerator random;
    private StreamDecoderFilterCallbacks callbacks;
    private FaultConfig config;
    private ScheduledFuture<?> timer;
    private boolean counted; // holds a slot of max_active_faults
    // the abort is drawn once per stream: the first call draws, later calls repeat it
    private Boolean aborting;
    private HttpResponseStatus abortStatus;

    FaultFilter(FaultConfig listenerConfig, RandomGenerator random) {
        this.listenerConfig = listenerConfig;
        this.random = random;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        Object route = callbacks.routeSpecificConfig(NAME);
        config = route instanceof FaultConfig c ? c : listenerConfig;
        if (config == null) {
            return FilterHeadersStatus.CONTINUE;
        }
        HttpHeaders h = request.headers();
        long delayMs = delayMs(h);
        boolean abort = abortStatus(h) != null;
        if (delayMs <= 0 && !abort) {
            return FilterHeadersStatus.CONTINUE;
        }
        if (config.maxActiveFaults() > 0 && config.active().incrementAndGet() > config.maxActiveFaults()) {
            config.active().decrementAndGet();
            config.stats().overflow().increment();
            return FilterHeadersStatus.CONTINUE;
        }
        if (config.maxActiveFaults() <= 0) {
            config.active().incrementAndGet();
        }
        counted = true;
        if (delayMs > 0) {
            config.stats().delays().increment();
            callbacks.addResponseFlag(ResponseFlag.DELAY_INJECTED);
            HttpResponseStatus abortWith = abortStatus(h);
            int grpc = abortGrpc(h);
            timer = callbacks.eventLoop().schedule(() -> {
                timer = null;
                if (abortWith != null) {
                    abortNow(abortWith, grpc);
                } else {
                    release();
                    callbacks.continueDecoding();
                }
            }, delayMs, TimeUnit.MILLISECONDS);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        abortNow(abortStatus(h), abortGrpc(h));
        return FilterHeadersStatus.STOP_ITERATION;
    }

    private void abortNow(HttpResponseStatus status, int grpc) {
        config.stats().aborts().increment();
        release();
        callbacks.sendLocalReply(status, "fault filter abort", ResponseFlag.FAULT_INJECTED,
                grpc < 0 ? null : r -> r.set("grpc-status", Integer.toString(grpc)));
    }

    private long delayMs(HttpHeaders h) {
        FaultConfig.Delay d = config.delay();
        if (d == null || !draw(percent(h, DELAY_PERCENT_HEADER, d.perMillion(), d.fromHeader()))) {
            return 0;
        }
        if (d.fromHeader()) {
            return parse(h.get(DELAY_HEADER), 0, 3_600_000);
        }
        return d.fixed().toMillis();
    }

    private HttpResponseStatus abortStatus(HttpHeaders h) {
        if (aborting != null) {
            return abortStatus;
        }
        FaultConfig.Abort a = config.abort();
        aborting = a != null && draw(percent(h, ABORT_PERCENT_HEADER, a.perMillion(), a.fromHeader()));
        if (!aborting) {
            return null;
        }
        if (a.fromHeader()) {
            long s = parse(h.get(ABORT_HEADER), 200, 599);
            abortStatus = s > 0 ? HttpResponseStatus.valueOf((int) s)
                    : parse(h.get(ABORT_GRPC_HEADER), 0, 16) >= 0 ? HttpResponseStatus.OK : null;
            aborting = abortStatus != null;
        } else {
            abortStatus = a.grpcStatus() >= 0 ? HttpResponseStatus.OK : HttpResponseStatus.valueOf(a.httpStatus());
        }
        return abortStatus;
    }

    private int abortGrpc(HttpHeaders h) {
        FaultConfig.Abort a = config.abort();
        if (a == null) {
            return -1;
        }
        return a.fromHeader() ? (int) parse(h.get(ABORT_GRPC_HEADER), 0, 16) : a.grpcStatus(); // -1: none
    }

    // the header's percentage caps the config's (Envoy: the lower of the two)
    private static int percent(HttpHeaders h, String header, int configured, boolean headersAllowed) {
        if (!headersAllowed || !h.contains(header)) {
            return configured;
        }
        long p = parse(h.get(header), 0, 100);
        return (int) Math.min(configured, p * 10_000);
    }

    private boolean draw(int perMillion) {
        return perMillion >= MILLION || perMillion > 0 && random.nextInt(MILLION) < perMillion;
    }

    /** @return the number, or -1 when absent or outside {@code [min, max]} */
    private static long parse(String v, long min, long max) {
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < min || n > max ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void release() {
        if (counted) {
            counted = false;
            config.active().decrementAndGet();
        }
    }

    /** While the delay runs, the body waits here (Envoy's StopIterationAndBuffer); it goes on with the headers. */
    @Override
    public io.outrigger.filter.FilterDataStatus decodeData(io.netty.buffer.ByteBuf data, boolean endStream) {
        return timer != null ? io.outrigger.filter.FilterDataStatus.STOP_ITERATION_AND_BUFFER
                : io.outrigger.filter.FilterDataStatus.CONTINUE;
    }

    @Override
    public io.outrigger.filter.FilterTrailersStatus decodeTrailers(io.netty.handler.codec.http.HttpHeaders trailers) {
        return timer != null ? io.outrigger.filter.FilterTrailersStatus.STOP_ITERATION
                : io.outrigger.filter.FilterTrailersStatus.CONTINUE;
    }

    @Override
    public void onDestroy() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        release();
    }
}
