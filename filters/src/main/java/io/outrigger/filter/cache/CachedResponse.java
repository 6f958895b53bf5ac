package io.outrigger.filter.cache;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stored response (immutable): status, header fields, the whole body and trailers, with what RFC 9111 §4.2 needs to
 * tell its age and freshness. Times are epoch milliseconds of the injected clock.
 */
final class CachedResponse implements CacheEntry {
    /** Not stored: hop-by-hop fields (RFC 9110 §7.6.1), ours, and what is recomputed when served. */
    private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "trailer", "proxy-authenticate", "age", "x-cache");
    /** Heuristic freshness is capped (RFC 9111 §4.2.2 leaves the bound to the cache). */
    static final long MAX_HEURISTIC_MS = 24 * 3600_000L;

    final int status;
    final HttpHeaders headers;
    final byte[] body;
    /** Trailers after the body, or {@code null}. */
    final HttpHeaders trailers;
    final CacheControl cc;
    /** When the request that fetched (or last validated) this response was sent, and when its answer arrived. */
    final long requestTimeMs;
    final long responseTimeMs;
    final long dateMs;
    final long ageValueS;
    /** The freshness lifetime (RFC 9111 §4.2.1), ms. */
    final long lifetimeMs;
    /** {@code ETag}, or {@code null}. */
    final String etag;
    /** {@code Last-Modified}, or -1. */
    final long lastModifiedMs;
    private final int weight;

    private CachedResponse(int status, HttpHeaders headers, byte[] body, HttpHeaders trailers, long requestTimeMs,
            long responseTimeMs, long ageValueS) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.trailers = trailers;
        this.requestTimeMs = requestTimeMs;
        this.responseTimeMs = responseTimeMs;
        this.cc = CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL), false);
        long date = httpDate(headers.get(HttpHeaderNames.DATE));
        this.dateMs = date < 0 ? responseTimeMs : date;
        this.ageValueS = ageValueS;
        this.etag = headers.get(HttpHeaderNames.ETAG);
        this.lastModifiedMs = httpDate(headers.get(HttpHeaderNames.LAST_MODIFIED));
        this.lifetimeMs = lifetime(status, headers, cc, dateMs, lastModifiedMs);
        int w = 256 + body.length;
        for (Map.Entry<String, String> e : headers) {
            w += e.getKey().length() + e.getValue().length() + 32;
        }
        if (trailers != null) {
            for (Map.Entry<String, String> e : trailers) {
                w += e.getKey().length() + e.getValue().length() + 32;
            }
        }
        this.weight = w;
    }

    /**
     * Stores a response.
     *
     * @param headers the response's fields as they came (copied here; hop-by-hop ones dropped)
     * @param body    the whole body (kept, not copied: the caller hands it over)
     */
    static CachedResponse of(int status, HttpHeaders headers, byte[] body, HttpHeaders trailers, long requestTimeMs,
            long responseTimeMs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (Map.Entry<String, String> e : headers) {
            if (!NOT_STORED.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                h.add(e.getKey(), e.getValue());
            }
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        HttpHeaders t = trailers == null || trailers.isEmpty() ? null : new DefaultHttpHeaders().add(trailers);
        return new CachedResponse(status, h, body, t, requestTimeMs, responseTimeMs,
                ageValue(headers.get(HttpHeaderNames.AGE)));
    }

    /** This response (headers and times as they are) with its whole body and trailers, once they have arrived. */
    CachedResponse withBody(byte[] wholeBody, HttpHeaders trailers) {
        HttpHeaders h = new DefaultHttpHeaders().add(headers);
        h.set(HttpHeaderNames.CONTENT_LENGTH, wholeBody.length);
        HttpHeaders t = trailers == null || trailers.isEmpty() ? null : new DefaultHttpHeaders().add(trailers);
        return new CachedResponse(status, h, wholeBody, t, requestTimeMs, responseTimeMs, ageValueS);
    }

    /**
     * This response freshened by a 304 (RFC 9111 §4.3.4): the 304's fields replace the stored ones of the same name
     * (except the framing ones), and its times become the entry's.
     */
    CachedResponse freshened(HttpHeaders notModified, long requestTimeMs, long responseTimeMs) {
        HttpHeaders h = new DefaultHttpHeaders().add(headers);
        for (String name : notModified.names()) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!NOT_STORED.contains(lower) && !lower.equals("content-length") && !lower.equals("content-encoding")) {
                h.set(name, notModified.getAll(name));
            }
        }
        return new CachedResponse(status, h, body, trailers, requestTimeMs, responseTimeMs,
                ageValue(notModified.get(HttpHeaderNames.AGE)));
    }

    /** RFC 9111 §4.2.1, for a shared cache: s-maxage, max-age, Expires - Date, then the heuristic of §4.2.2. */
    private static long lifetime(int status, HttpHeaders h, CacheControl cc, long dateMs, long lastModifiedMs) {
        if (cc.sMaxAge() >= 0) {
            return cc.sMaxAge() * 1000;
        }
        if (cc.maxAge() >= 0) {
            return cc.maxAge() * 1000;
        }
        String expires = h.get(HttpHeaderNames.EXPIRES);
        if (expires != null) {
            long e = httpDate(expires);
            return e < 0 ? 0 : Math.max(0, e - dateMs); // an invalid Expires means already expired (§5.3)
        }
        if (lastModifiedMs >= 0 && (CachePolicy.heuristicallyCacheable(status) || cc.isPublic())) {
            return Math.min(MAX_HEURISTIC_MS, Math.max(0, (dateMs - lastModifiedMs) / 10));
        }
        return 0;
    }

    boolean hasValidator() {
        return etag != null || lastModifiedMs >= 0;
    }

    /** The current age (RFC 9111 §4.2.3), ms. */
    long currentAgeMs(long nowMs) {
        long apparentAge = Math.max(0, responseTimeMs - dateMs);
        long responseDelay = Math.max(0, responseTimeMs - requestTimeMs);
        long correctedAgeValue = ageValueS * 1000 + responseDelay;
        long correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
        return correctedInitialAge + Math.max(0, nowMs - responseTimeMs);
    }

    /** How long past its lifetime the response is at {@code nowMs}, ms (negative while fresh). */
    long stalenessMs(long nowMs) {
        return currentAgeMs(nowMs) - lifetimeMs;
    }

    @Override
    public int weight() {
        return weight;
    }

    /**
     * A response to serve: a copy of the stored fields (encoder filters may change them) with {@code Age} in seconds.
     */
    HttpResponse toResponse(long nowMs) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        r.headers().add(headers);
        r.headers().set(HttpHeaderNames.AGE, currentAgeMs(nowMs) / 1000);
        return r;
    }

    /**
     * A 304 answering a conditional request from a stored response (RFC 9110 §15.4.5: the fields a 200 would carry
     * among Cache-Control, Content-Location, Date, ETag, Expires, Vary, and Last-Modified).
     */
    HttpResponse toNotModified(long nowMs) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
        for (CharSequence name : List.of(HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.CONTENT_LOCATION,
                HttpHeaderNames.DATE, HttpHeaderNames.ETAG, HttpHeaderNames.EXPIRES, HttpHeaderNames.VARY,
                HttpHeaderNames.LAST_MODIFIED)) {
            List<String> v = headers.getAll(name);
            if (!v.isEmpty()) {
                r.headers().set(name, v);
            }
        }
        r.headers().set(HttpHeaderNames.AGE, currentAgeMs(nowMs) / 1000);
        return r;
    }

    /** An HTTP-date (RFC 9110 §5.6.7, the three formats), epoch ms; -1 when absent or invalid. */
    static long httpDate(String value) {
        if (value == null) {
            return -1;
        }
        Date d = DateFormatter.parseHttpDate(value);
        return d == null ? -1 : d.getTime();
    }

    private static long ageValue(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 0; // an invalid Age is ignored (RFC 9111 §5.1)
        }
    }
}
