package io.outrigger.router;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.config.RequestMirrorPolicy;
import io.outrigger.config.RouteAction;
import io.outrigger.worker.ThreadLocalCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's shadow copies ({@link ShadowRequest}) while its body is still coming: the route's
 * {@code request_mirror_policies} each draw their share, and every copy gets the body and trailers the original gets.
 * Per stream; confined to its event loop.
 */
final class RequestMirrors {
    private final List<ShadowRequest> shadows;

    private RequestMirrors(List<ShadowRequest> shadows) {
        this.shadows = shadows;
    }

    /**
     * Starts the copies the policies draw.
     *
     * @param request     the request as it goes upstream (copied by each shadow)
     * @param headersOnly the request has no body and no trailers
     * @return the copies still expecting body or trailers, or {@code null} when there are none (the number started
     *         goes to the access log through {@link RouterStreamCallbacks#setMirrored})
     */
    static RequestMirrors start(RouteAction action, HttpRequest request, boolean headersOnly, RouterStreamCallbacks callbacks) {
        List<RequestMirrorPolicy> policies = action.mirrorPolicies();
        if (policies.isEmpty()) {
            return null;
        }
        List<ShadowRequest> started = null;
        int copies = 0;
        for (int i = 0; i < policies.size(); i++) {
            RequestMirrorPolicy policy = policies.get(i);
            if (ThreadLocalRandom.current().nextInt(RequestMirrorPolicy.MILLION) >= policy.fractionPerMillion()) {
                continue;
            }
            ThreadLocalCluster mirror = callbacks.worker().cluster(policy.cluster());
            ShadowRequest s = mirror == null ? null : ShadowRequest.start(mirror, request, headersOnly, policy.keepHost(),
                    callbacks.streamInfo().protocol(), action.timeout(), callbacks.eventLoop(), callbacks.tracing(),
                    callbacks.span());
            copies += s == null ? 0 : 1;
            if (s != null && !headersOnly) {
                if (started == null) {
                    started = new ArrayList<>(policies.size());
                }
                started.add(s);
            }
        }
        if (copies > 0) {
            callbacks.setMirrored(copies);
        }
        return started == null ? null : new RequestMirrors(started);
    }

    /** @param data the original's chunk; not released here (each copy gets a retained duplicate) */
    void data(ByteBuf data, boolean endStream) {
        for (int i = 0; i < shadows.size(); i++) {
            shadows.get(i).sendData(data.retainedDuplicate(), endStream);
        }
    }

    void trailers(HttpHeaders trailers) {
        for (int i = 0; i < shadows.size(); i++) {
            shadows.get(i).sendTrailers(trailers);
        }
    }

    /** The caller went away: copies with an incomplete request are dropped, complete ones carry on. */
    void callerGone() {
        for (int i = 0; i < shadows.size(); i++) {
            shadows.get(i).onCallerGone();
        }
    }
}
