package io.outrigger.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.outrigger.filter.ResponseFlag;
import io.outrigger.filter.StreamInfo;
import io.outrigger.upstream.Host;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What is known about one stream, for filters and the access log (Envoy's {@code StreamInfo}): when it
 * started, the request line as received, the bytes each way, the response code, the upstream host and
 * the response flags. Written by the active stream on its event loop.
 */
final class StreamInfoImpl implements StreamInfo {
    final long startMillis = System.currentTimeMillis();
    final long startNanos = System.nanoTime();
    final String method;
    final String path;
    private final String protocol;
    private final String listenerName;
    private final SocketAddress remoteAddress;
    private final SocketAddress localAddress;
    private final java.security.cert.X509Certificate peerCertificate;
    final HttpHeaders requestHeaders;
    String requestId;
    int responseCode;
    long bytesReceived;
    long bytesSent;
    String upstreamCluster;
    String route;
    /** The W3C trace id of the stream's trace, sampled or not; {@code null} without tracing. */
    String traceId;
    Host upstreamHost;
    /** Upstream attempts made, 0 when none (Envoy's {@code UPSTREAM_REQUEST_ATTEMPT_COUNT}). */
    int attemptCount;
    /** Hedged attempts started (route {@code hedge_policy}); 0: not hedged. */
    int hedges;
    /** Which attempt answered a hedged request; {@code null} when not hedged. */
    io.outrigger.router.HedgeOutcome hedgeOutcome;
    /** Request mirror copies started. */
    int mirrored;
    /** The response's {@code grpc-status} (trailers or trailers-only headers), for the access log; {@code null} if none. */
    String grpcStatus;
    /** The response flags in the order they were raised; a shared empty list until the first (most streams have none). */
    List<ResponseFlag> flags = List.of();
    /** Dynamic metadata by namespace; {@code null} until a filter sets some. */
    private java.util.Map<String, java.util.Map<String, Object>> metadata;

    StreamInfoImpl(HttpRequest request, String protocol, String listenerName, SocketAddress remoteAddress) {
        this(request, protocol, listenerName, remoteAddress, null, null);
    }

    StreamInfoImpl(HttpRequest request, String protocol, String listenerName, SocketAddress remoteAddress,
                   SocketAddress localAddress, java.security.cert.X509Certificate peerCertificate) {
        this.localAddress = localAddress;
        this.peerCertificate = peerCertificate;
        this.method = request.method().name();
        this.path = request.uri();
        this.protocol = protocol;
        this.listenerName = listenerName;
        this.remoteAddress = remoteAddress;
        this.requestHeaders = request.headers();
    }

    void addFlag(ResponseFlag flag) {
        if (flag != null && !flags.contains(flag)) { // null: a local reply that is no failure (a CORS preflight)
            if (flags.isEmpty()) {
                flags = new ArrayList<>(1);
            }
            flags.add(flag);
        }
    }

    @Override
    public SocketAddress downstreamRemoteAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress downstreamLocalAddress() {
        return localAddress;
    }

    @Override
    public java.security.cert.X509Certificate downstreamPeerCertificate() {
        return peerCertificate;
    }

    @Override
    public java.util.Map<String, Object> dynamicMetadata(String namespace) {
        java.util.Map<String, Object> m = metadata == null ? null : metadata.get(namespace);
        return m == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(m);
    }

    void setDynamicMetadata(String namespace, String key, Object value) {
        if (metadata == null) {
            metadata = new java.util.HashMap<>(2);
        }
        metadata.computeIfAbsent(namespace, n -> new java.util.HashMap<>(4)).put(key, value);
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public String listenerName() {
        return listenerName;
    }

    @Override
    public String toString() {
        return method + ' ' + path + " (" + requestId + ')';
    }
}
