package io.outrigger.it;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.Attributes;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC origin (grpc-java, cleartext HTTP/2) serving grpc-testing's {@code SimpleService}:
 * unary echoes (or fails with {@code fail:…}, answers late with {@code late:MS}, reports the deadline it saw
 * with {@code deadline}); server streaming sends {@code requestMessage} as a count of messages 200 ms apart;
 * client streaming joins what it got; bidi echoes each message. Counts the HTTP/2 connections it accepted.
 */
final class GrpcOrigin implements AutoCloseable {
    static final int MAX_MESSAGE = 16 << 20;
    final AtomicInteger connections = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Server server;

    GrpcOrigin() throws Exception {
        this(0);
    }

    /**
     * @param maxConnectionAgeMs when positive, the origin drains every connection older than this with GOAWAY (as gRPC
     *                           servers configured with MAX_CONNECTION_AGE do), while accepting new ones
     */
    GrpcOrigin(long maxConnectionAgeMs) throws Exception {
        this(maxConnectionAgeMs, null, null);
    }

    /** An origin over TLS (h2 by ALPN) with this certificate chain and PKCS#8 key (PEM files). */
    static GrpcOrigin tls(java.nio.file.Path certificateChain, java.nio.file.Path privateKey) throws Exception {
        return new GrpcOrigin(0, certificateChain, privateKey);
    }

    private GrpcOrigin(long maxConnectionAgeMs, java.nio.file.Path chain, java.nio.file.Path key) throws Exception {
        this(maxConnectionAgeMs, chain, key, 0);
    }

    private GrpcOrigin(long maxConnectionAgeMs, java.nio.file.Path chain, java.nio.file.Path key, int port) throws Exception {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
        if (chain != null) {
            b.useTransportSecurity(chain.toFile(), key.toFile());
        }
        if (maxConnectionAgeMs > 0) {
            b.maxConnectionAge(maxConnectionAgeMs, TimeUnit.MILLISECONDS).maxConnectionAgeGrace(10, TimeUnit.SECONDS);
        }
        server = b.maxInboundMessageSize(MAX_MESSAGE)
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attrs) {
                        connections.incrementAndGet();
                        return attrs;
                    }
                })
                .addService(new Service())
                .build().start();
    }

    int port() {
        return server.getPort();
    }

    /** For {@code bench/grpc.sh}: a plain origin on {@code args[0]} (a port) until the process is killed. */
    public static void main(String[] args) throws Exception {
        GrpcOrigin o = new GrpcOrigin(0, null, null, Integer.parseInt(args[0]));
        System.out.println("gRPC origin on " + o.address());
        o.server.awaitTermination();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Stops abruptly: open calls are cut (the connection closes under them). */
    void kill() {
        server.shutdownNow();
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        timer.shutdownNow();
    }

    private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            String m = request.getRequestMessage();
            if (m.startsWith("fail:")) {
                out.onError(Status.INVALID_ARGUMENT.withDescription(m.substring(5)).asRuntimeException());
            } else if (m.startsWith("late:")) {
                timer.schedule(() -> reply(out, "late"), Long.parseLong(m.substring(5)), TimeUnit.MILLISECONDS);
            } else if (m.equals("deadline")) {
                Deadline d = Context.current().getDeadline();
                reply(out, d == null ? "none" : Long.toString(d.timeRemaining(TimeUnit.MILLISECONDS)));
            } else {
                reply(out, m);
            }
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            int count = Integer.parseInt(request.getRequestMessage());
            for (int i = 0; i < count; i++) {
                int n = i;
                timer.schedule(() -> {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage("message " + n).build());
                    if (n == count - 1) {
                        out.onCompleted();
                    }
                }, 200L * (i + 1), TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
            StringBuilder all = new StringBuilder();
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest r) {
                    all.append(r.getRequestMessage());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    reply(out, all.toString());
                }
            };
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest r) {
                    out.onNext(SimpleResponse.newBuilder().setResponseMessage(r.getRequestMessage()).build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        private void reply(StreamObserver<SimpleResponse> out, String message) {
            out.onNext(SimpleResponse.newBuilder().setResponseMessage(message).build());
            out.onCompleted();
        }
    }
}
