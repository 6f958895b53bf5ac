package io.outrigger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLoopGroupsTest {
    /** A transport named {@code name} on NIO whose {@code failAt}-th event loop cannot be made (0: none fails). */
    private static Transport failing(String name, int failAt, AtomicInteger made) {
        IoHandlerFactory nio = NioIoHandler.newFactory();
        IoHandlerFactory factory = executor -> {
            if (made.incrementAndGet() == failAt) {
                throw new IllegalStateException("io_uring_setup: Cannot allocate memory");
            }
            return nio.newHandler(executor);
        };
        return new Transport(name, factory, NioServerSocketChannel.class, NioSocketChannel::new,
                NioDatagramChannel.class, null);
    }

    @Test
    void whenAnIoUringLoopCannotBeMadeEveryGroupIsMadeOnTheFallback() throws Exception {
        AtomicInteger uringLoops = new AtomicInteger();
        AtomicInteger fallbackLoops = new AtomicInteger();
        Transport fallback = failing("nio", 0, fallbackLoops);
        EventLoopGroups loops = EventLoopGroups.create(failing("io_uring", 3, uringLoops), () -> fallback, 1, 2, 1);
        try {
            assertThat(loops.transport()).isSameAs(fallback);
            assertThat(uringLoops).hasValue(3); // the third loop failed: the group of two was being made
            assertThat(fallbackLoops).hasValue(4);
            assertThat(loops.groups()).hasSize(3);
            assertThat(loops.groups().get(1).next().submit(() -> "ran").get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        } finally {
            loops.groups().forEach(g -> g.shutdownGracefully(0, 0, TimeUnit.SECONDS));
        }
    }

    @Test
    void theGroupsOfATransportThatWorksAreMadeOnIt() {
        Transport uring = failing("io_uring", 0, new AtomicInteger());
        EventLoopGroups loops = EventLoopGroups.create(uring, () -> {
            throw new AssertionError("no fallback needed");
        }, 2);
        assertThat(loops.transport()).isSameAs(uring);
        loops.groups().forEach(EventLoopGroup::shutdownGracefully);
    }

    @Test
    void anotherTransportThatFailsFailsTheStart() {
        assertThatThrownBy(() -> EventLoopGroups.create(failing("epoll", 1, new AtomicInteger()), () -> {
            throw new AssertionError("epoll has no fallback here");
        }, 1)).isInstanceOf(IllegalStateException.class);
    }
}
