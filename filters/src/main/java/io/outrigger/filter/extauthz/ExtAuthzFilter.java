package io.outrigger.filter.extauthz;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamDecoderFilter;
import io.outrigger.filter.StreamDecoderFilterCallbacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * Envoy's external authorization on one stream, HTTP service flavour: the request's method, path and selected headers
 * go to the authorization service (JDK {@link HttpClient}, asynchronously: nothing waits on the event loop; the answer
 * hops back to it); a 2xx answer lets the request on, with the allowed answer headers added; any other answer is sent
 * to the client (its status, body and allowed headers) with response flag {@code UAEX}, and the request never reaches
 * the upstream. A service that fails or times out gives {@code status_on_error}, or lets the request through with
 * {@code failure_mode_allow}. With {@code with_request_body}, the body (or its first {@code max_request_bytes}) is
 * gathered before the check and sent with it; the request waits for the answer either way.
 */
final class ExtAuthzFilter implements StreamDecoderFilter {
    static final String NAME = "ext_authz";
    /** Headers the JDK client sets itself or refuses (RFC 9110 §7.6.1's hop-by-hop ones among them). */
    private static final Set<String> NOT_SENT = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "keep-alive", "te", "transfer-encoding", "proxy-connection", "trailer");
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .executor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "outrigger-ext-authz");
                t.setDaemon(true);
                return t;
            }))
            .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

    /** Tells the service whether the body it got is only the first {@code max_request_bytes}. */
    static final String PARTIAL_BODY = "x-outrigger-auth-partial-body";

    private final ExtAuthzConfig config;
    private StreamDecoderFilterCallbacks callbacks;
    private HttpRequest request;
    /** Whether the body is being gathered for the check ({@code with_request_body}). */
    private boolean gathering;
    /** The gathered body (a copy), or {@code null}. */
    private byte[] body;
    private int bodyLength;
    private CompletableFuture<HttpResponse<String>> pending;
    private boolean destroyed;

    /**
     * Readies the JDK client for a service (its first exchange in a JVM costs most of a second of class loading and
     * setup, which would eat a check's timeout): one {@code HEAD} whose answer is ignored. Off the event loops.
     */
    static void warmUp(URI service) {
        CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(service).timeout(Duration.ofSeconds(5))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    ExtAuthzFilter(ExtAuthzConfig config) {
        this.config = config;
    }

    @Override
    public void setDecoderFilterCallbacks(StreamDecoderFilterCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        this.request = request;
        ExtAuthzConfig.BufferSettings b = config.withRequestBody();
        if (b != null && !endStream) {
            // with_request_body: the check waits for the body (or its first max_request_bytes); the filter manager
            // holds the chunks behind the headers meanwhile, so its bound must take them
            gathering = true;
            body = new byte[Math.min(b.maxRequestBytes(), 16 * 1024)];
            callbacks.setDecoderBufferLimit(Math.max(b.maxRequestBytes() * 2L, 1L << 20));
            return FilterHeadersStatus.STOP_ITERATION;
        }
        check(false);
        return FilterHeadersStatus.STOP_ITERATION;
    }

    /** Sends the check, with the gathered body when there is one. */
    private void check(boolean partial) {
        gathering = false;
        java.net.http.HttpRequest.Builder check;
        try {
            URI uri = URI.create(config.serverUri().toString().replaceAll("/$", "") + config.pathPrefix() + request.uri());
            check = java.net.http.HttpRequest.newBuilder(uri).timeout(config.timeout())
                    .method(request.method().name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofByteArray(body, 0, bodyLength));
        } catch (IllegalArgumentException e) {
            callbacks.sendLocalReply(HttpResponseStatus.BAD_REQUEST, "request target not usable for authorization",
                    ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
            return;
        }
        HttpHeaders h = request.headers();
        for (Map.Entry<String, String> e : h) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_SENT.contains(name) && (name.equals("authorization") || ExtAuthzConfig.anyMatch(config.allowedHeaders(), name))) {
                check.header(name, e.getValue());
            }
        }
        String host = h.get("host");
        if (host != null) {
            check.header("x-forwarded-host", host); // the JDK client sets Host to the service's
        }
        if (config.withRequestBody() != null) {
            check.header(PARTIAL_BODY, Boolean.toString(partial)); // Envoy's x-envoy-auth-partial-body
        }
        config.headersToAdd().forEach(check::header);
        body = null;
        io.netty.channel.EventLoop loop = callbacks.eventLoop();
        HttpRequest req = request;
        pending = CLIENT.sendAsync(check.build(), HttpResponse.BodyHandlers.ofString());
        pending.whenComplete((answer, failure) -> loop.execute(() -> onAnswer(req, answer, failure)));
    }

    /** On the stream's event loop. */
    private void onAnswer(HttpRequest request, HttpResponse<String> answer, Throwable failure) {
        if (destroyed) {
            return;
        }
        pending = null;
        if (failure != null) {
            config.stats().error().increment();
            if (config.failureModeAllow()) {
                config.stats().failureModeAllowed().increment();
                request.headers().set("x-outrigger-auth-failure-mode-allowed", "true");
                callbacks.continueDecoding();
            } else {
                callbacks.sendLocalReply(HttpResponseStatus.valueOf(config.statusOnError()), "",
                        ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE);
            }
            return;
        }
        if (answer.statusCode() >= 200 && answer.statusCode() < 300) {
            config.stats().ok().increment();
            answer.headers().map().forEach((name, values) -> {
                if (ExtAuthzConfig.anyMatch(config.allowedUpstreamHeaders(), name.toLowerCase(Locale.ROOT))) {
                    request.headers().set(name, values);
                }
            });
            callbacks.continueDecoding();
            return;
        }
        config.stats().denied().increment();
        callbacks.sendLocalReply(HttpResponseStatus.valueOf(answer.statusCode()), answer.body().strip(),
                ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE, reply -> answer.headers().map().forEach((name, values) -> {
                    String n = name.toLowerCase(Locale.ROOT);
                    List<io.outrigger.config.StringMatcher> allowed = config.allowedClientHeaders();
                    if (!NOT_SENT.contains(n) && !n.equals("content-type") && !n.equals("date")
                            && (allowed.isEmpty() || ExtAuthzConfig.anyMatch(allowed, n))) {
                        reply.set(name, values);
                    }
                }));
    }

    /**
     * While the body is gathered for the check, or the service is asked, the body waits here (Envoy's
     * StopIterationAndBuffer); it goes on with the headers.
     *
     * @param data not released here (the filter manager owns it); gathered bytes are copied
     */
    @Override
    public io.outrigger.filter.FilterDataStatus decodeData(io.netty.buffer.ByteBuf data, boolean endStream) {
        if (gathering) {
            ExtAuthzConfig.BufferSettings b = config.withRequestBody();
            int n = data.readableBytes();
            int room = b.maxRequestBytes() - bodyLength;
            int take = Math.min(n, room);
            if (bodyLength + take > body.length) {
                body = java.util.Arrays.copyOf(body, Math.min(b.maxRequestBytes(), Math.max(body.length * 2, bodyLength + take)));
            }
            data.getBytes(data.readerIndex(), body, bodyLength, take);
            bodyLength += take;
            if (n > room) {
                if (!b.allowPartialMessage()) {
                    gathering = false;
                    body = null;
                    callbacks.sendLocalReply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "request body too large for authorization", ResponseFlag.UNAUTHORIZED_EXTERNAL_SERVICE);
                    return io.outrigger.filter.FilterDataStatus.STOP_ITERATION_AND_BUFFER;
                }
                check(true);
            } else if (endStream) {
                check(false);
            }
            return io.outrigger.filter.FilterDataStatus.STOP_ITERATION_AND_BUFFER;
        }
        return pending != null ? io.outrigger.filter.FilterDataStatus.STOP_ITERATION_AND_BUFFER
                : io.outrigger.filter.FilterDataStatus.CONTINUE;
    }

    @Override
    public io.outrigger.filter.FilterTrailersStatus decodeTrailers(io.netty.handler.codec.http.HttpHeaders trailers) {
        if (gathering) {
            check(false);
        }
        return pending != null ? io.outrigger.filter.FilterTrailersStatus.STOP_ITERATION
                : io.outrigger.filter.FilterTrailersStatus.CONTINUE;
    }

    @Override
    public void onDestroy() {
        destroyed = true;
        gathering = false;
        body = null;
        if (pending != null) {
            pending.cancel(true);
            pending = null;
        }
    }
}
