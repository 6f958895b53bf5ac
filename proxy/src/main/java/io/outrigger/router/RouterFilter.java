package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.opentelemetry.api.trace.Span;
import io.outrigger.codec.StreamResetReason;
import io.outrigger.config.RetryPolicy;
import io.outrigger.config.RouteAction;
import io.outrigger.config.UpgradeConfig;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.http.Grpc;
import io.outrigger.pool.PoolFailureReason;
import io.outrigger.router.RetryState.Failure;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.Host;
import io.outrigger.upstream.OutlierDetector;
import io.outrigger.upstream.lb.LoadBalancerContext;
import io.outrigger.worker.ThreadLocalCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal decoder filter (Envoy's router filter): matches the route, computes the hash key, and runs
 * attempts ({@link UpstreamRequest}s, one per try) against hosts of this worker's cluster until one answers or the
 * retry policy says stop — its decisions, per-try and back-off timers in {@link RetryDriver} (made only for a route
 * with a retry policy), the policy's arithmetic in {@link RetryState}, hedges in {@link HedgedAttempts}. It keeps the
 * request body (up to the route's limit) so an attempt can be replayed, owns the route deadlines
 * ({@link RouteDeadlines}), enforces the cluster's {@code max_requests}, reports outcomes to outlier detection, and
 * turns failures into local replies. Nothing is retried once response headers went downstream. Per stream; confined
 * to its event loop.
 *
 * <p>Buffers: replay copies are retained duplicates of the request chunks, released when the response
 * starts, when the body outgrows the limit, or when the stream ends.
 */
public final class RouterFilter implements StreamDecoderFilter, LoadBalancerContext, RouteDeadlines.Expiry,
        RetryDriver.Router {
    private static final Logger log = LoggerFactory.getLogger(RouterFilter.class);
    static final String OVERLOADED_HEADER = "x-outrigger-overloaded";
    static final AsciiString ATTEMPT_COUNT = AsciiString.cached("x-outrigger-attempt-count");
    /** {@code ATTEMPT_NUMBERS[n]}: n as a header value, made once (the count is set on every attempt). */
    private static final AsciiString[] ATTEMPT_NUMBERS = java.util.stream.IntStream.range(0, 16)
            .mapToObj(n -> AsciiString.cached(Integer.toString(n))).toArray(AsciiString[]::new);
    private static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");

    private RouterStreamCallbacks callbacks;
    private RouteEntry route;
    private RouteAction action;
    private ThreadLocalCluster cluster;
    private Cluster shared;
    private HttpRequest request;
    private RetryDriver retries; // null: the route has no retry policy
    private boolean idempotent;
    private HashKey.Outcome hash; // null: the route has no hash policy (made per request only when it has)
    // request progress and replay buffer
    private boolean requestComplete;
    private HttpHeaders trailers;
    private final ReplayBuffer replay = new ReplayBuffer();
    private long bufferLimit = RetryPolicy.DEFAULT_BUFFER_LIMIT;
    // attempts
    private UpstreamRequest attempt;
    // hosts tried: the latest attempt's, and the earlier ones (a list only from the first retry on)
    private Host lastTried;
    private List<Host> earlierTried = List.of();
    private HedgedAttempts hedging; // hedge_on_per_try_timeout: null until the stream's first hedge
    private int attempts;
    private boolean staleRetried;
    private boolean alpnRetried;
    private boolean countedRequest;
    private boolean responseStarted;
    private boolean done;
    private boolean grpc;
    private RouteDeadlines deadlines;
    private RequestMirrors mirrors; // request_mirror_policies copies still taking the body; null when none

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = (RouterStreamCallbacks) callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest req, boolean endStream) {
        route = callbacks.routeTable().route(req);
        if (route == null) {
            callbacks.sendLocalReply(HttpResponseStatus.NOT_FOUND, "no route for " + RouteTable.pathOf(req.uri()),
                    ResponseFlag.NO_ROUTE_FOUND);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        callbacks.setRoute(route.match().path());
        action = route.forward();
        if (action == null) {
            done = true; // a redirect or direct response: the proxy answers, nothing goes upstream
            RouteReplies.send(callbacks, route, req);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        callbacks.setRouteStreamSettings(action.idleTimeout(), action.sseKeepaliveInterval());
        String upgrade = HttpMethod.CONNECT.equals(req.method()) ? UpgradeConfig.CONNECT : req.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade != null && !UpgradeConfig.allowed(upgrade, action.upgradeConfigs(),
                callbacks.listenerUpgradeConfigs())) {
            callbacks.sendLocalReply(HttpResponseStatus.FORBIDDEN, "upgrade " + upgrade + " is not enabled for this route",
                    ResponseFlag.UPGRADE_FAILED);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        cluster = callbacks.worker().cluster(action.clusterFor(ThreadLocalRandom.current().nextLong()));
        if (cluster == null) {
            callbacks.sendLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "unknown cluster", ResponseFlag.NO_HEALTHY_UPSTREAM);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        shared = cluster.cluster();
        if (!shared.resources().tryAcquireRequest()) {
            shared.stats().upstreamRqMaxRequestsOverflow.increment();
            finishWithLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream max_requests overflow",
                    ResponseFlag.UPSTREAM_OVERFLOW, true);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        countedRequest = true;
        request = req;
        grpc = Grpc.isGrpc(req.headers());
        deadlines = new RouteDeadlines(callbacks.eventLoop(), System::nanoTime, this);
        deadlines.onRequestHeaders(action, req.headers(), grpc);
        if (!action.hashPolicy().isEmpty()) {
            hash = new HashKey.Outcome();
            HashKey.compute(action.hashPolicy(), req, callbacks.streamInfo().downstreamRemoteAddress(),
                    ThreadLocalRandom.current(), hash);
        }
        HttpMethod m = req.method();
        idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE || m == HttpMethod.TRACE || req.headers().contains(IDEMPOTENCY_KEY);
        RetryPolicy policy = action.retryPolicy();
        if (policy != null) {
            bufferLimit = policy.bufferLimitBytes();
            // A request retried by an Outrigger upstream of us is not retried again (no amplification).
            RetryState state = policy.retryRetriedRequests() || !req.headers().contains(ATTEMPT_COUNT)
                    ? new RetryState(policy, idempotent, () -> deadlines.deadlineNanos(), System::nanoTime,
                            ThreadLocalRandom.current(), shared.resources()::tryAcquireRetry)
                    : null;
            retries = new RetryDriver(this, callbacks.eventLoop(), callbacks.streamInfo(), policy, state, shared);
        }
        prepareUpstreamRequest(req);
        mirrors = RequestMirrors.start(action, req, endStream, callbacks);
        requestComplete = endStream;
        if (endStream) {
            onRequestComplete();
        }
        startAttempt(false);
        return FilterHeadersStatus.CONTINUE;
    }

    private void prepareUpstreamRequest(HttpRequest req) {
        req.setUri(route.rewritePath(req.uri()));
        if (action.hostRewriteLiteral() != null) {
            req.headers().set(HttpHeaderNames.HOST, action.hostRewriteLiteral());
        }
    }

    @Override
    public FilterDataStatus decodeData(ByteBuf data, boolean endStream) {
        if (mirrors != null) {
            mirrors.data(data, endStream);
        }
        if (done) {
            return FilterDataStatus.CONTINUE;
        }
        keepForReplay(data);
        requestComplete = endStream;
        if (attempt != null) {
            attempt.sendData(data.retain(), endStream);
        }
        if (endStream) {
            onRequestComplete();
        }
        return FilterDataStatus.CONTINUE;
    }

    @Override
    public FilterTrailersStatus decodeTrailers(HttpHeaders t) {
        if (mirrors != null) {
            mirrors.trailers(t);
        }
        if (done) {
            return FilterTrailersStatus.CONTINUE;
        }
        trailers = t;
        requestComplete = true;
        if (attempt != null) {
            attempt.sendTrailers(t);
        }
        onRequestComplete();
        return FilterTrailersStatus.CONTINUE;
    }

    private void keepForReplay(ByteBuf data) {
        if (!responseStarted && !replay.keep(data, bufferLimit) && retries != null && retries.canRetry()) {
            shared.stats().retryOrShadowAbandoned.increment(); // streamed: too large to replay
        }
    }

    private void onRequestComplete() {
        if (!done && deadlines != null) {
            deadlines.onRequestComplete();
        }
        startPerTryTimer();
    }

    // --- attempts ---

    private void startAttempt(boolean freshConnection) {
        attempts++;
        Host host = cluster.chooseHost(this);
        if (host == null) {
            finishWithLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy upstream", ResponseFlag.NO_HEALTHY_UPSTREAM);
            return;
        }
        if (lastTried != null) {
            if (earlierTried.isEmpty()) {
                earlierTried = new ArrayList<>(2);
            }
            earlierTried.add(lastTried);
        }
        lastTried = host;
        callbacks.setUpstream(shared.name(), host, attempts);
        shared.stats().upstreamRqTotal.increment();
        request.headers().set(ATTEMPT_COUNT, attempts < ATTEMPT_NUMBERS.length ? ATTEMPT_NUMBERS[attempts] : Integer.toString(attempts));
        boolean headersOnly = requestComplete && replay.isEmpty() && trailers == null;
        Span span = callbacks.tracing().startClientSpan(callbacks.span(), request, shared.name(), host.address(), attempts);
        UpstreamRequest a = new UpstreamRequest(this, request, headersOnly, host, span);
        attempt = a;
        a.start(owner(host).connectionPool(host, callbacks.streamInfo().protocol()), freshConnection);
        if (attempt != a || done) {
            return; // answered synchronously (overflow)
        }
        replay.sendTo(a, requestComplete && trailers == null);
        if (requestComplete && trailers != null) {
            a.sendTrailers(trailers);
        }
        startPerTryTimer();
    }

    // per_try_timeout counts from the end of the request (Envoy)
    private void startPerTryTimer() {
        if (retries != null && requestComplete && attempt != null && !done) {
            retries.startPerTryTimer(attempt);
        }
    }

    /** {@inheritDoc} Hedges or fails the attempt when it is still the current one and nothing was answered. */
    @Override
    public void onPerTryTimeout(UpstreamRequest a) {
        if (a != attempt || done || responseStarted) {
            return;
        }
        if (action.hedgeOnPerTryTimeout()) {
            hedge(a);
            return;
        }
        endAttempt();
        shared.stats().upstreamRqPerTryTimeout.increment();
        a.setErrorType("timeout");
        a.reset();
        report(a.host(), 504);
        handleFailure(Failure.PER_TRY_TIMEOUT, 0, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream per-try timeout",
                ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    }

    /**
     * hedge_on_per_try_timeout: the attempt keeps running and, if the retry policy allows one (same rules and budget
     * as a retry), another starts beside it after the back-off; the first response wins. Without a retry left the
     * attempt simply goes on (the route timeout still bounds it), as in Envoy.
     */
    private void hedge(UpstreamRequest a) {
        shared.stats().upstreamRqPerTryTimeout.increment();
        stopAttemptTimerAndSlot();
        if (!decide(Failure.PER_TRY_TIMEOUT, 0)) {
            return; // no retry left: keep waiting for this one
        }
        shared.stats().upstreamRqHedged.increment();
        if (hedging == null) {
            hedging = new HedgedAttempts();
        }
        callbacks.setHedged(hedging.add(a), HedgeOutcome.NONE_WON); // until an attempt answers
        attempt = null; // the back-off starts the next attempt
    }

    /** Resets every hedged attempt but {@code keep} (a winner was found, or the stream ends). */
    private void resetHedged(UpstreamRequest keep) {
        if (hedging != null) {
            hedging.resetAllBut(keep);
        }
    }

    /**
     * An event from an attempt that is not the current one. A hedged attempt's response makes it the current one
     * (the newer attempt and the back-off, if any, are abandoned); its failure just removes it.
     *
     * @return whether {@code a} is now the current attempt
     */
    private boolean promoteHedged(UpstreamRequest a, boolean responded) {
        if (hedging == null || !hedging.contains(a)) {
            return false;
        }
        if (!responded) {
            hedging.remove(a);
            return false;
        }
        shared.stats().upstreamRqHedgeEarlierWon.increment();
        retries.cancelBackOff(); // hedges exist only beside a retry policy
        UpstreamRequest newer = attempt;
        stopAttemptTimerAndSlot();
        if (newer != null) {
            newer.setErrorType("hedge lost");
            newer.reset();
        }
        resetHedged(a);
        attempt = a;
        return true;
    }

    // The current attempt failed (its outcome is being handled): forget it, stop its timer, free its retry slot.
    private void endAttempt() {
        attempt = null;
        stopAttemptTimerAndSlot();
    }

    private void stopAttemptTimerAndSlot() {
        if (retries != null) {
            retries.attemptEnded();
        }
    }

    /** Retries the request if the policy allows, else answers with the given local reply. */
    private void handleFailure(Failure failure, int status, HttpResponseStatus replyStatus, String replyBody, ResponseFlag flag) {
        boolean retrying = decide(failure, status);
        if (!retrying && hedging != null && !hedging.isEmpty()) {
            attempt = hedging.removeNewest(); // an earlier, hedged attempt is still running: it answers
            return;
        }
        if (!retrying) {
            finishWithLocalReply(replyStatus, replyBody, flag);
        } else {
            // if the body outgrows the replay buffer during the back-off, this is the answer after all
            retries.giveUpWith(replyStatus, replyBody, flag);
        }
    }

    /** Asks the retry driver (none: no retry policy) whether {@code failure} is retried; on yes the back-off runs. */
    private boolean decide(Failure failure, int status) {
        return retries != null && retries.scheduleRetry(failure, status, replay.replayable(), lastTried);
    }

    @Override
    public void retriesExhausted() {
        callbacks.addResponseFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    }

    /** {@inheritDoc} Starts the next attempt, unless the body outgrew the replay buffer meanwhile. */
    @Override
    public void afterBackOff() {
        if (done) {
            return;
        }
        if (!replay.replayable()) {
            // body chunks that arrived during the back-off outgrew the replay buffer (counted there as
            // retry_or_shadow_abandoned): the retry cannot send the whole request, so the failure it was retrying stands
            RetryDriver.GiveUp g = retries.giveUp();
            finishWithLocalReply(g.status(), g.body(), g.flag());
            return;
        }
        startAttempt(false);
    }

    @Override
    public void onRouteTimeout() {
        if (!done) {
            log.debug("route timeout after {} for {}", deadlines.routeTimeout(), callbacks.streamInfo());
            shared.stats().upstreamRqTimeout.increment();
            endOnDeadline(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout", ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
        }
    }

    // max_stream_duration: the stream ends whatever it is doing (Envoy: 408 before the response, a reset after)
    @Override
    public void onMaxStreamDuration() {
        if (!done) {
            shared.stats().upstreamRqMaxDurationReached.increment();
            endOnDeadline(HttpResponseStatus.REQUEST_TIMEOUT, "upstream max stream duration reached",
                    ResponseFlag.UPSTREAM_MAX_STREAM_DURATION_REACHED);
        }
    }

    // A time limit passed: abandon the attempt; answer locally, or reset once the response started.
    private void endOnDeadline(HttpResponseStatus status, String body, ResponseFlag flag) {
        resetHedged(null);
        UpstreamRequest a = attempt;
        endAttempt();
        if (a != null) {
            a.setErrorType("timeout");
            a.reset();
        }
        if (responseStarted) {
            done = true;
            cancelTimers();
            callbacks.resetStream(flag);
        } else {
            finishWithLocalReply(status, body, flag);
        }
    }

    /** Called by the active stream when the downstream can take bytes again (or not). */
    public void onDownstreamWritabilityChanged(boolean writable) {
        if (attempt != null) {
            attempt.setUpstreamReading(writable);
        }
    }

    @Override
    public void onDestroy() {
        if (mirrors != null) {
            mirrors.callerGone(); // a copy whose request is complete carries on
            mirrors = null;
        }
        cancelTimers();
        if (hedging != null) {
            hedging.cancelAll();
        }
        UpstreamRequest a = attempt;
        endAttempt();
        if (a != null) {
            a.setErrorType("cancelled"); // the downstream went away (a no-op when the attempt had finished)
            a.reset();
        }
        done = true;
        replay.release();
        if (countedRequest) {
            countedRequest = false;
            shared.resources().releaseRequest();
        }
    }

    // --- from UpstreamRequest ---

    RouterStreamCallbacks callbacks() {
        return callbacks;
    }

    void onPoolFailure(UpstreamRequest a, PoolFailureReason reason, String detail) {
        if (a != attempt) {
            promoteHedged(a, false);
            return;
        }
        log.debug("pool failure {}: {}", reason, detail);
        endAttempt();
        if (reason == PoolFailureReason.ALPN_CHOSE_HTTP1 && !alpnRetried) {
            // nothing was sent: attempt again (that host now through its HTTP/1.1 pool); not a retry in the policy's sense
            alpnRetried = true;
            attempts--;
            lastTried = earlierTried.isEmpty() ? null : earlierTried.remove(earlierTried.size() - 1);
            startAttempt(false);
            return;
        }
        if (reason == PoolFailureReason.OVERFLOW) {
            shared.stats().upstreamRqPendingOverflow.increment();
            finishWithLocalReply(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream connection pool overflow",
                    ResponseFlag.UPSTREAM_OVERFLOW, true);
            return;
        }
        shared.stats().upstreamCxConnectFail.increment();
        reportFailure(a.host());
        handleFailure(Failure.CONNECT_FAILURE, 0, HttpResponseStatus.SERVICE_UNAVAILABLE,
                "upstream connect error or disconnect/reset before headers", ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    }

    void onUpstreamHeaders(UpstreamRequest a, HttpResponse response, boolean endStream) {
        if (responseStarted || a != attempt && !promoteHedged(a, true)) {
            return;
        }
        int status = response.status().code();
        report(a.host(), status);
        shared.stats().onUpstreamResponse(status, System.nanoTime() - a.startNanos());
        int grpcStatus = grpc && endStream ? Grpc.status(response.headers()) : -1; // a trailers-only gRPC response
        boolean mayRetry = retries != null && retries.canRetry() && replay.replayable();
        if (grpcStatus > 0 && mayRetry) {
            stopAttemptTimerAndSlot();
            if (decide(Failure.GRPC_STATUS, grpcStatus)) {
                attempt = null;
                a.reset();
                return; // dropped; a new attempt follows the back-off
            }
        }
        if (status >= 400 && mayRetry) {
            stopAttemptTimerAndSlot(); // this attempt is over either way: give back its retry slot first
            if (decide(Failure.STATUS, status)) {
                attempt = null;
                a.reset(); // its body is not read: the connection cannot be reused (a no-op if already complete)
                ReferenceCountUtil.release(response);
                return; // dropped; a new attempt follows the back-off
            }
        }
        // This attempt answers: it stays current (the request body may still be streaming to it).
        responseStarted = true;
        if (hedging != null) {
            hedging.resetAllBut(a);
            a.markHedgeWinner();
            callbacks.setHedged(hedging.started(), a.hedgedBeside() ? HedgeOutcome.EARLIER_WON : HedgeOutcome.NEWEST_WON);
        }
        deadlines.onResponseHeaders(response, endStream, grpc || HttpMethod.CONNECT.equals(request.method()));
        stopAttemptTimerAndSlot();
        replay.release();
        if (endStream) {
            onUpstreamComplete();
        }
        if (hash != null && hash.setCookie != null) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, hash.setCookie); // a generated hash-policy cookie
        }
        callbacks.encodeHeaders(response, endStream);
    }

    void onUpstreamData(ByteBuf data, boolean endStream) {
        if (endStream) {
            onUpstreamComplete();
        }
        callbacks.encodeData(data, endStream);
    }

    void onUpstreamTrailers(HttpHeaders t) {
        onUpstreamComplete();
        callbacks.encodeTrailers(t);
    }

    private void onUpstreamComplete() {
        done = true;
        cancelTimers();
    }

    void onUpstreamReset(UpstreamRequest a, StreamResetReason reason, String detail) {
        if (a != attempt) {
            promoteHedged(a, false);
            return;
        }
        log.debug("upstream reset ({}): {}", reason, detail);
        endAttempt();
        reportFailure(a.host());
        if (done && !responseStarted) {
            return;
        }
        ResponseFlag flag = switch (reason) {
            case REMOTE_RESET, REMOTE_REFUSED_STREAM -> ResponseFlag.UPSTREAM_REMOTE_RESET;
            case PROTOCOL_ERROR -> ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
            default -> ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
        };
        if (responseStarted) {
            if (!done) {
                done = true;
                cancelTimers();
                callbacks.resetStream(flag);
            }
            return;
        }
        // Transparent retry, once, whatever the policy, when it is safe: the upstream provably did not process the
        // request (HTTP/2 REFUSED_STREAM or a stream above a GOAWAY's last-stream-id), or a reused keep-alive
        // connection died before answering (most likely closed by the upstream while idle) and the request is
        // idempotent or was never written.
        boolean unprocessed = reason.provablyUnprocessed();
        if (!staleRetried && replay.replayable() && !a.responseStarted()
                && (unprocessed || a.reusedConnection() && idempotent && reason == StreamResetReason.CONNECTION_TERMINATION)) {
            staleRetried = true;
            attempts--; // not a retry in the policy's sense
            log.debug("{} on {} before any response: retrying on a fresh connection", reason, a.host());
            startAttempt(true);
            return;
        }
        Failure failure = switch (reason) {
            case REMOTE_REFUSED_STREAM -> Failure.REFUSED_STREAM;
            case CONNECTION_TERMINATION_BEFORE_REQUEST -> Failure.RESET_BEFORE_REQUEST;
            default -> Failure.RESET;
        };
        handleFailure(failure, 0, HttpResponseStatus.BAD_GATEWAY,
                "upstream connect error or disconnect/reset before headers", flag);
    }

    /** The worker's view of the cluster the host belongs to: the route's, or one of an aggregate's clusters. */
    private ThreadLocalCluster owner(Host host) {
        if (host.cluster().equals(shared.name())) {
            return cluster;
        }
        ThreadLocalCluster c = callbacks.worker().cluster(host.cluster());
        return c != null ? c : cluster;
    }

    private void report(Host host, int status) {
        OutlierDetector d = owner(host).cluster().outlierDetector();
        if (d != null) {
            d.reportStatus(host, status);
        }
    }

    private void reportFailure(Host host) {
        OutlierDetector d = owner(host).cluster().outlierDetector();
        if (d != null) {
            d.reportFailure(host);
        }
    }

    private void finishWithLocalReply(HttpResponseStatus status, String body, ResponseFlag flag) {
        finishWithLocalReply(status, body, flag, false);
    }

    private void finishWithLocalReply(HttpResponseStatus status, String body, ResponseFlag flag, boolean overloaded) {
        done = true;
        cancelTimers();
        resetHedged(null);
        callbacks.sendLocalReply(status, body, flag, overloaded ? h -> h.set(OVERLOADED_HEADER, "true") : null);
    }

    private void cancelTimers() {
        if (deadlines != null) {
            deadlines.cancel();
        }
        if (retries != null) {
            retries.cancelTimers();
        }
    }

    // --- LoadBalancerContext ---

    @Override
    public boolean hasHashKey() {
        return hash != null && hash.present;
    }

    @Override
    public long hashKey() {
        return hash != null ? hash.key : 0;
    }

    @Override
    public boolean shouldSelectAnotherHost(Host host) {
        if (lastTried == null) {
            return false;
        }
        RetryPolicy p = action.retryPolicy();
        return (p == null || p.previousHosts()) && (host.equals(lastTried) || earlierTried.contains(host));
    }
}
