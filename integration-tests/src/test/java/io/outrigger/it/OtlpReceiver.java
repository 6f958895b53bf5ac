package io.outrigger.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The receiving end of OTLP/HTTP with protobuf bodies ({@code POST /v1/traces}), as an OpenTelemetry
 * Collector serves it on port 4318: every body is decoded with the official OTLP protobuf classes
 * (io.opentelemetry.proto), so a malformed export fails the decode and is answered 400.
 */
final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    final ConcurrentLinkedQueue<Span> spans = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> contentTypes = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> apiKeys = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> serviceNames = new ConcurrentLinkedQueue<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            contentTypes.add(String.valueOf(ex.getRequestHeaders().getFirst("content-type")));
            apiKeys.add(String.valueOf(ex.getRequestHeaders().getFirst("x-api-key")));
            ExportTraceServiceRequest req;
            try {
                req = ExportTraceServiceRequest.parseFrom(body);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                ex.sendResponseHeaders(400, -1);
                return;
            }
            for (ResourceSpans rs : req.getResourceSpansList()) {
                rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                        .forEach(a -> serviceNames.add(a.getValue().getStringValue()));
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    spans.addAll(ss.getSpansList());
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().set("content-type", "application/x-protobuf");
            ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    List<Span> spansOf(String traceIdHex) {
        return spans.stream().filter(s -> java.util.HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(traceIdHex))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
