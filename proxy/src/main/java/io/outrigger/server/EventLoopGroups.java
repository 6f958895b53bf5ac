package io.outrigger.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event-loop groups on one transport. Netty checks io_uring with a one-entry ring; each event loop makes its own full
 * ring when its group is built, and that can still fail — before Linux 5.12 rings are charged to
 * {@code RLIMIT_MEMLOCK}, which containers often keep at 64 KiB — so when the groups cannot be made on io_uring they
 * are made on the fallback (epoll, else NIO), with a warning, instead of the process failing to start.
 *
 * @param transport the transport the groups run
 * @param groups    one group per requested size, in the order asked
 */
public record EventLoopGroups(Transport transport, List<EventLoopGroup> groups) {
    private static final Logger log = LoggerFactory.getLogger(EventLoopGroups.class);

    /**
     * @param preferred the transport {@link Transport#detect()} chose
     * @param threads   the size of each group, at least 1
     * @return the groups on {@code preferred}, or on epoll (else NIO) when io_uring's could not be made
     * @throws RuntimeException what making the groups threw, when {@code preferred} is not io_uring
     */
    public static EventLoopGroups create(Transport preferred, int... threads) {
        return create(preferred, () -> Transport.select("epoll"), threads);
    }

    static EventLoopGroups create(Transport preferred, Supplier<Transport> fallback, int... threads) {
        try {
            return make(preferred, threads);
        } catch (RuntimeException e) {
            if (!"io_uring".equals(preferred.name())) {
                throw e;
            }
            log.warn("io_uring event loops could not be made ({}); falling back", String.valueOf(e));
            return make(fallback.get(), threads);
        }
    }

    private static EventLoopGroups make(Transport transport, int... threads) {
        List<EventLoopGroup> made = new ArrayList<>();
        try {
            for (int n : threads) {
                made.add(new MultiThreadIoEventLoopGroup(n, transport.ioHandler()));
            }
        } catch (RuntimeException e) {
            made.forEach(g -> g.shutdownGracefully(0, 0, TimeUnit.SECONDS));
            throw e;
        }
        return new EventLoopGroups(transport, List.copyOf(made));
    }
}
