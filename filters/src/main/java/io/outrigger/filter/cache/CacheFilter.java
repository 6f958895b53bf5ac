package io.outrigger.filter.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterDataStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.FilterTrailersStatus;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import io.outrigger.filter.StreamEncoderFilterCallbacks;
import io.outrigger.filter.StreamFilter;
import java.util.Date;
import java.util.Locale;

/**
 * One stream of the {@code cache} filter: a shared HTTP cache (RFC 9111) in front of the upstream. A GET or HEAD is
 * answered from the store while the stored response is fresh (or stale within what the request's {@code max-stale}
 * allows, or within {@code stale-while-revalidate} while another stream refreshes it); otherwise it goes upstream — as
 * a conditional request when a stale response has validators, so a 304 freshens it — and a storable response is
 * copied into the store while it streams to the caller. Concurrent misses of a key wait for the first one's fetch
 * ({@link Fill}). A 5xx (or the router's 503) is replaced by the stale response within {@code stale-if-error}. Unsafe
 * methods that succeed invalidate their target (RFC 9111 §4.4).
 */
final class CacheFilter implements StreamFilter, Fill.Waiter {
    static final String NAME = "cache";
    private static final String X_CACHE = "x-cache";

    private enum State {
        /** Not a cacheable exchange: frames pass. */
        PASS,
        /** An unsafe method: a success invalidates its target. */
        INVALIDATE,
        /** Waiting for another stream's fetch of the same key. */
        WAITING,
        /** Sent upstream (a miss, or a validation of {@link #stale}). */
        FORWARDED,
        /** Answered by this filter. */
        SERVED,
        DONE
    }

    private final CacheConfig config;
    private StreamDecoderFilterCallbacks decoder;
    private StreamEncoderFilterCallbacks encoder;
    private State state = State.PASS;
    private HttpRequest request;
    private boolean head;
    private CacheKey key;
    private CacheControl requestCc = CacheControl.NONE;
    /** Whether the caller's request was conditional (before this filter added validators of its own). */
    private boolean callerConditional;
    /** The stored response that was not usable as it was, or {@code null}. */
    private CachedResponse stale;
    /** Whether this filter made the upstream request conditional (on {@link #stale}'s validators). */
    private boolean validating;
    /** The fill this stream leads, or {@code null}. */
    private Fill fill;
    private long requestTimeMs;
    // the response being stored
    private CachedResponse storing;
    private BodyCapture body;

    CacheFilter(CacheConfig config) {
        this.config = config;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.decoder = callbacks;
    }

    @Override
    public void setEncoderFilterCallbacks(StreamEncoderFilterCallbacks callbacks) {
        this.encoder = callbacks;
    }

    // --- request ---

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        this.request = request;
        String method = request.method().name();
        HttpHeaders h = request.headers();
        if (CachePolicy.unsafe(method)) {
            key = key(request);
            state = State.INVALIDATE;
            return FilterHeadersStatus.CONTINUE;
        }
        boolean get = method.equals("GET");
        head = method.equals("HEAD");
        if (!(get || head) || h.contains(HttpHeaderNames.RANGE) || h.get(HttpHeaderNames.HOST) == null) {
            return FilterHeadersStatus.CONTINUE; // ranges pass untouched (nothing partial is stored)
        }
        key = key(request);
        callerConditional = CachePolicy.conditional(h);
        requestCc = config.ignoreRequestCacheControl() ? CacheControl.NONE
                : CacheControl.parse(h.getAll(HttpHeaderNames.CACHE_CONTROL), pragmaNoCache(h));
        return lookup(get);
    }

    /**
     * Answers from the store, waits for another stream's fetch, or sends the request upstream.
     *
     * @param mayWait whether to join (or lead) the key's fill
     */
    private FilterHeadersStatus lookup(boolean mayWait) {
        long now = config.clock().millis();
        CachedResponse r = config.cache().lookup(key, request.headers());
        if (r != null) {
            Reuse reuse = new Reuse(requestCc);
            if (reuse.fresh(r, now)) {
                config.stats().hit().increment();
                serve(r, "HIT", now);
                return FilterHeadersStatus.STOP_ITERATION;
            }
            if (reuse.staleAllowedByRequest(r, now) || reuse.staleWhileRevalidate(r, now, config.cache().filling(key))) {
                config.stats().stale().increment();
                serve(r, "STALE", now);
                return FilterHeadersStatus.STOP_ITERATION;
            }
            stale = r;
        } else if (requestCc.onlyIfCached()) {
            state = State.SERVED;
            decoder.sendLocalReply(HttpResponseStatus.GATEWAY_TIMEOUT, "not in cache (only-if-cached)", null);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        boolean conditional = callerConditional;
        if (mayWait && !conditional && !requestCc.noStore()) {
            HttpCache.Joined j = config.cache().join(key, this);
            if (!j.leader()) {
                state = State.WAITING;
                config.stats().coalesced().increment();
                return FilterHeadersStatus.STOP_ITERATION;
            }
            fill = j.fill();
        }
        if (stale != null && stale.hasValidator() && !conditional) {
            // RFC 9111 §4.3.1: validate with the stored validators
            HttpHeaders h = request.headers();
            if (stale.etag != null) {
                h.set(HttpHeaderNames.IF_NONE_MATCH, stale.etag);
            }
            if (stale.lastModifiedMs >= 0) {
                h.set(HttpHeaderNames.IF_MODIFIED_SINCE, DateFormatter.format(new Date(stale.lastModifiedMs)));
            }
            validating = true;
        }
        config.stats().miss().increment();
        state = State.FORWARDED;
        requestTimeMs = now;
        return FilterHeadersStatus.CONTINUE;
    }

    /** Ends the stream with a stored response: a 304 when the request's own conditions match it. */
    private void serve(CachedResponse r, String outcome, long now) {
        state = State.SERVED;
        HttpResponse resp;
        ByteBuf data = null;
        if (callerConditional && CachePolicy.notModified(request.headers(), r)) {
            config.stats().notModified().increment();
            resp = r.toNotModified(now);
        } else {
            resp = r.toResponse(now);
            if (!head && r.body.length > 0) {
                data = ByteBufAllocator.DEFAULT.buffer(r.body.length).writeBytes(r.body); // filters may edit it in place
            }
        }
        if (config.xCacheHeader()) {
            resp.headers().set(X_CACHE, outcome);
        }
        HttpHeaders trailers = data != null && r.trailers != null ? new DefaultHttpHeaders().add(r.trailers) : null;
        decoder.sendResponse(resp, data, trailers);
    }

    /** Another stream's fetch ended; any thread. Continues on this stream's event loop. */
    @Override
    public void onFillDone(Fill.Outcome outcome) {
        decoder.eventLoop().execute(() -> {
            if (state != State.WAITING) {
                return; // this stream ended meanwhile
            }
            if (outcome == Fill.Outcome.STORED && lookup(false) == FilterHeadersStatus.STOP_ITERATION) {
                return; // answered from the store
            }
            if (state == State.WAITING) { // not stored: fetch for ourselves, without coalescing again
                config.stats().miss().increment();
                state = State.FORWARDED;
                requestTimeMs = config.clock().millis();
            }
            decoder.continueDecoding();
        });
    }

    // --- response ---

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        if (state == State.INVALIDATE) {
            invalidateOnSuccess(response);
            return FilterHeadersStatus.CONTINUE;
        }
        if (state != State.FORWARDED) {
            return FilterHeadersStatus.CONTINUE;
        }
        long now = config.clock().millis();
        int status = response.status().code();
        if (validating && status == 304) {
            CachedResponse freshened = stale.freshened(response.headers(), requestTimeMs, now);
            java.util.List<String> vary = CachePolicy.vary(freshened.headers);
            if (vary == null) {
                config.cache().invalidate(key);
            } else {
                config.cache().insert(key, request.headers(), freshened, vary);
            }
            config.stats().validated().increment();
            completeFill(Fill.Outcome.STORED);
            serve(freshened, "HIT", now);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        if (stale != null && status >= 500 && new Reuse(requestCc).staleIfError(stale, now)) {
            completeFill(Fill.Outcome.NOT_STORED);
            config.stats().staleIfError().increment();
            config.stats().stale().increment();
            serve(stale, "STALE", now);
            return FilterHeadersStatus.STOP_ITERATION;
        }
        if (config.xCacheHeader()) {
            response.headers().set(X_CACHE, "MISS");
        }
        if (head || callerConditional) {
            completeFill(Fill.Outcome.NOT_STORED); // a HEAD's or the caller's own conditional answer is not stored
            return FilterHeadersStatus.CONTINUE;
        }
        CachedResponse probe = CachedResponse.of(status, response.headers(), EMPTY, null, requestTimeMs, now);
        CachePolicy.Verdict v = CachePolicy.storable(requestCc, request.headers().contains(HttpHeaderNames.AUTHORIZATION),
                probe, config::varyAllowed);
        long length = contentLength(response.headers());
        if (v == CachePolicy.Verdict.STORABLE && length > config.maxObjectBytes()) {
            v = CachePolicy.Verdict.TOO_LARGE;
        }
        if (v != CachePolicy.Verdict.STORABLE) {
            (v == CachePolicy.Verdict.TOO_LARGE ? config.stats().tooLarge() : config.stats().notStored()).increment();
            if (stale != null && status < 500) {
                config.cache().invalidate(key); // what replaced the stored response may not be stored
            }
            completeFill(Fill.Outcome.NOT_STORED);
            return FilterHeadersStatus.CONTINUE;
        }
        storing = probe;
        body = new BodyCapture(length, config.maxObjectBytes());
        if (endStream) {
            store(null);
        }
        return FilterHeadersStatus.CONTINUE;
    }

    private static final byte[] EMPTY = {};

    @Override
    public FilterDataStatus encodeData(ByteBuf data, boolean endStream) {
        if (storing != null) {
            if (!body.append(data)) {
                config.stats().tooLarge().increment();
                abandonStore();
            } else if (endStream) {
                store(null);
            }
        }
        return FilterDataStatus.CONTINUE;
    }

    @Override
    public FilterTrailersStatus encodeTrailers(HttpHeaders trailers) {
        if (storing != null) {
            store(trailers);
        }
        return FilterTrailersStatus.CONTINUE;
    }

    private void store(HttpHeaders trailers) {
        CachedResponse r = storing.withBody(body.whole(), trailers);
        storing = null;
        body = null;
        config.cache().insert(key, request.headers(), r, CachePolicy.vary(r.headers));
        config.stats().stored().increment();
        completeFill(Fill.Outcome.STORED);
    }

    private void abandonStore() {
        storing = null;
        body = null;
        completeFill(Fill.Outcome.NOT_STORED);
    }

    private void completeFill(Fill.Outcome outcome) {
        Fill f = fill;
        if (f != null) {
            fill = null;
            f.complete(outcome);
        }
    }

    /** RFC 9111 §4.4: a non-error answer to an unsafe method invalidates its target, Location and Content-Location. */
    private void invalidateOnSuccess(HttpResponse response) {
        int status = response.status().code();
        if (status < 200 || status >= 400 || key == null || key.authority() == null) {
            return;
        }
        config.cache().invalidate(key);
        config.stats().invalidated().increment();
        for (CharSequence name : new CharSequence[] {HttpHeaderNames.LOCATION, HttpHeaderNames.CONTENT_LOCATION}) {
            CacheKey other = key.sameOrigin(response.headers().get(name));
            if (other != null) {
                config.cache().invalidate(other);
            }
        }
    }

    @Override
    public void onDestroy() {
        state = State.DONE;
        storing = null;
        body = null;
        completeFill(Fill.Outcome.NOT_STORED); // a leader that never finished: the waiters fetch for themselves
    }

    // --- helpers ---

    private static CacheKey key(HttpRequest request) {
        HttpHeaders h = request.headers();
        String host = h.get(HttpHeaderNames.HOST);
        String scheme = h.get("x-forwarded-proto");
        return new CacheKey(scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT),
                host == null ? null : host.toLowerCase(Locale.ROOT), request.uri(), null);
    }

    private static boolean pragmaNoCache(HttpHeaders h) {
        String p = h.get(HttpHeaderNames.PRAGMA);
        return p != null && p.toLowerCase(Locale.ROOT).contains("no-cache");
    }

    private static long contentLength(HttpHeaders h) {
        String v = h.get(HttpHeaderNames.CONTENT_LENGTH);
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return NAME + "[" + state + (key == null ? "" : " " + key.target()) + "]";
    }
}
