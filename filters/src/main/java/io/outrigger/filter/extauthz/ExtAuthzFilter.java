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
 * {@code failure_mode_allow}.
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

    private final ExtAuthzConfig config;
    private StreamDecoderFilterCallbacks callbacks;
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
        java.net.http.HttpRequest.Builder check;
        try {
            URI uri = URI.create(config.serverUri().toString().replaceAll("/$", "") + config.pathPrefix() + request.uri());
            check = java.net.http.HttpRequest.newBuilder(uri).timeout(config.timeout())
                    .method(request.method().name(), java.net.http.HttpRequest.BodyPublishers.noBody());
        } catch (IllegalArgumentException e) {
            callbacks.sendLocalReply(HttpResponseStatus.BAD_REQUEST, "request target not usable for authorization",
                    ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR);
            return FilterHeadersStatus.STOP_ITERATION;
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
        config.headersToAdd().forEach(check::header);
        io.netty.channel.EventLoop loop = callbacks.eventLoop();
        pending = CLIENT.sendAsync(check.build(), HttpResponse.BodyHandlers.ofString());
        pending.whenComplete((answer, failure) -> loop.execute(() -> onAnswer(request, answer, failure)));
        return FilterHeadersStatus.STOP_ITERATION;
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

    /** While the service is asked, the body waits here (Envoy's StopIterationAndBuffer); it goes on with the headers. */
    @Override
    public io.outrigger.filter.FilterDataStatus decodeData(io.netty.buffer.ByteBuf data, boolean endStream) {
        return pending != null ? io.outrigger.filter.FilterDataStatus.STOP_ITERATION_AND_BUFFER
                : io.outrigger.filter.FilterDataStatus.CONTINUE;
    }

    @Override
    public io.outrigger.filter.FilterTrailersStatus decodeTrailers(io.netty.handler.codec.http.HttpHeaders trailers) {
        return pending != null ? io.outrigger.filter.FilterTrailersStatus.STOP_ITERATION
                : io.outrigger.filter.FilterTrailersStatus.CONTINUE;
    }

    @Override
    public void onDestroy() {
        destroyed = true;
        if (pending != null) {
            pending.cancel(true);
            pending = null;
        }
    }
}
