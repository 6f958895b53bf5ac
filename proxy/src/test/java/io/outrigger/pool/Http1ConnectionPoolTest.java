package io.outrigger.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.codec.RequestEncoder;
import io.outrigger.codec.ResponseDecoder;
import io.outrigger.codec.http1.Http1ClientStream;
import io.outrigger.config.ConnectionPoolConfig;
import io.outrigger.upstream.ClusterResources;
import io.outrigger.upstream.Host;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pool accounting against a real loopback server (connections are accepted and held open). */
class Http1ConnectionPoolTest {
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel server;
    private int port;

    /** These tests exchange no messages: a response would be a test failure. */
    static final ResponseDecoder NO_RESPONSE = new ResponseDecoder() {
        @Override
        public void decodeHeaders(HttpResponse response, boolean endStream) {
            throw new AssertionError("unexpected response");
        }

        @Override
        public void decodeData(ByteBuf data, boolean endStream) {
            data.release();
            throw new AssertionError("unexpected response body");
        }

        @Override
        public void decodeTrailers(HttpHeaders trailers) {
            throw new AssertionError("unexpected trailers");
        }
    };

    /** Records the outcome of one newStream call. */
    static final class Waiter implements PoolCallbacks {
        Http1ClientStream.Connection connection;
        boolean reused;
        PoolFailureReason failure;

        @Override
        public void onPoolReady(RequestEncoder encoder, boolean reusedConnection) {
            connection = ((Http1ClientStream) encoder).connection();
            reused = reusedConnection;
        }

        @Override
        public void onPoolFailure(PoolFailureReason reason, String detail) {
            failure = reason;
        }
    }

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // accept and hold the connection open; nothing is read or written
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private void eventually(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!onLoop(condition)) {
            assertThat(System.nanoTime()).as("condition not met in 5s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private Http1ConnectionPool pool(int targetPort, ClusterResources resources, int maxConnections, int maxPending) throws Exception {
        Host host = new Host("c", new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 1);
        return new Http1ConnectionPool(loop, NioSocketChannel::new, host, resources,
                new ConnectionPoolConfig(maxConnections, maxPending, Duration.ofSeconds(30), 0), Duration.ofSeconds(2), null);
    }

    @Test
    void limitsConnectionsQueuesPendingAndReusesReleasedConnections() throws Exception {
        ClusterResources resources = new ClusterResources(2, 10);
        Http1ConnectionPool pool = pool(port, resources, 2, 10);
        List<Waiter> waiters = new ArrayList<>();
        onLoop(() -> {
            for (int i = 0; i < 5; i++) {
                Waiter w = new Waiter();
                waiters.add(w);
                pool.newStream(NO_RESPONSE, w, false);
            }
            return null;
        });
        eventually(() -> waiters.get(0).connection != null && waiters.get(1).connection != null);
        onLoop(() -> {
            assertThat(pool.connections()).isEqualTo(2);
            assertThat(resources.connections()).isEqualTo(2);
            assertThat(pool.busyConnections()).isEqualTo(2);
            assertThat(pool.pendingRequests()).isEqualTo(3);
            assertThat(resources.pendingRequests()).isEqualTo(3);
            Channel first = waiters.get(0).connection.channel();
            waiters.get(0).connection.release(true, 0);
            // handed straight to the oldest waiter: same connection, no new one
            assertThat(waiters.get(2).connection).isNotNull();
            assertThat(waiters.get(2).connection.channel()).isSameAs(first);
            assertThat(waiters.get(2).reused).isTrue();
            assertThat(pool.pendingRequests()).isEqualTo(2);
            assertThat(resources.pendingRequests()).isEqualTo(2);
            waiters.get(1).connection.release(false, 0); // closed, not reused: a new connection serves waiter 3
            return null;
        });
        eventually(() -> waiters.get(3).connection != null);
        onLoop(() -> {
            assertThat(waiters.get(3).reused).isFalse();
            assertThat(pool.connections()).isEqualTo(2);
            waiters.get(2).connection.release(true, 0);
            waiters.get(3).connection.release(true, 0);
            assertThat(waiters.get(4).connection).isNotNull();
            waiters.get(4).connection.release(true, 0);
            assertThat(pool.idleConnections()).isEqualTo(2);
            assertThat(pool.busyConnections()).isZero();
            assertThat(resources.pendingRequests()).isZero();
            return null;
        });
    }

    @Test
    void overflowFailsAtOnceAndCancelFreesThePendingSlot() throws Exception {
        ClusterResources resources = new ClusterResources(1, 1);
        Http1ConnectionPool pool = pool(port, resources, 1, 1);
        Waiter a = new Waiter();
        Waiter b = new Waiter();
        Waiter c = new Waiter();
        onLoop(() -> {
            // one event-loop task, so the connection cannot complete in between
            Cancellable handle = pool.newStream(NO_RESPONSE, a, false); // pending, connecting
            pool.newStream(NO_RESPONSE, b, false);                      // pending queue full: overflow
            assertThat(b.failure).isEqualTo(PoolFailureReason.OVERFLOW);
            handle.cancel();
            assertThat(resources.pendingRequests()).isZero();
            pool.newStream(NO_RESPONSE, c, false);                      // takes the freed slot and the connection in flight
            assertThat(pool.connections()).isEqualTo(1);
            return null;
        });
        eventually(() -> c.connection != null);
        assertThat(a.connection).isNull();
        assertThat(a.failure).isNull();
    }

    @Test
    void aPoolWithoutConnectionsMayOpenOneOverTheClusterLimit() throws Exception {
        ClusterResources resources = new ClusterResources(1, 10);
        assertThat(resources.tryAcquireConnection(false)).isTrue(); // another worker holds the only slot
        Http1ConnectionPool pool = pool(port, resources, 1, 10);
        Waiter a = new Waiter();
        onLoop(() -> pool.newStream(NO_RESPONSE, a, false));
        eventually(() -> a.connection != null);
        assertThat(resources.connections()).isEqualTo(2);
    }

    @Test
    void connectFailureFailsWaitingRequestsAndReleasesCounts() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ClusterResources resources = new ClusterResources(4, 10);
        Http1ConnectionPool pool = pool(closedPort, resources, 4, 10);
        Waiter a = new Waiter();
        Waiter b = new Waiter();
        onLoop(() -> {
            pool.newStream(NO_RESPONSE, a, false);
            pool.newStream(NO_RESPONSE, b, false);
            return null;
        });
        eventually(() -> a.failure != null && b.failure != null);
        assertThat(a.failure).isEqualTo(PoolFailureReason.CONNECTION_FAILURE);
        assertThat(b.failure).isEqualTo(PoolFailureReason.CONNECTION_FAILURE);
        onLoop(() -> {
            assertThat(pool.connections()).isZero();
            assertThat(resources.connections()).isZero();
            assertThat(resources.pendingRequests()).isZero();
            return null;
        });
    }

    @Test
    void anUpstreamKeepAliveTimeoutRetiresTheConnectionBeforeItEnds() throws Exception {
        ClusterResources resources = new ClusterResources(4, 10);
        Http1ConnectionPool pool = pool(port, resources, 4, 10);
        Waiter a = new Waiter();
        onLoop(() -> pool.newStream(NO_RESPONSE, a, false));
        eventually(() -> a.connection != null);
        Channel first = a.connection.channel();
        onLoop(() -> {
            a.connection.release(true, 500); // Keep-Alive: timeout=0.5s: retired half a second early, i.e. now
            return null;
        });
        Waiter b = new Waiter();
        onLoop(() -> pool.newStream(NO_RESPONSE, b, false));
        eventually(() -> b.connection != null);
        assertThat(b.connection.channel()).isNotSameAs(first);
        Waiter c = new Waiter();
        onLoop(() -> {
            b.connection.release(true, 60_000); // Keep-Alive: timeout=60: reusable
            pool.newStream(NO_RESPONSE, c, false);
            return null;
        });
        assertThat(c.connection.channel()).isSameAs(b.connection.channel());
    }

    @Test
    void anIdleConnectionClosedByThePeerLeavesThePool() throws Exception {
        ClusterResources resources = new ClusterResources(4, 10);
        Http1ConnectionPool pool = pool(port, resources, 4, 10);
        Waiter a = new Waiter();
        onLoop(() -> pool.newStream(NO_RESPONSE, a, false));
        eventually(() -> a.connection != null);
        onLoop(() -> {
            a.connection.release(true, 0);
            assertThat(pool.idleConnections()).isEqualTo(1);
            return null;
        });
        onLoop(() -> a.connection.channel().close()); // the connection goes away while idle
        eventually(() -> pool.idleConnections() == 0 && pool.connections() == 0);
        assertThat(resources.connections()).isZero();
    }
}
