package io.outrigger.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: Netty's native io_uring where the kernel and the seccomp profile allow it (Linux 5.9+,
 * Netty's minimum; Docker 25 and later and containerd 2 refuse it by default, as does
 * {@code kernel.io_uring_disabled}), else native epoll when it loads (Linux x86_64/aarch64), else NIO; each step down
 * says why in a log line. {@code -Doutrigger.transport=} picks one: {@code io_uring}, {@code epoll} or {@code nio}.
 *
 * <p>Why io_uring first: it submits an event-loop iteration's reads and writes in one system call (under h2c load 0.08
 * {@code io_uring_enter} per request against epoll's 2.2 {@code recvfrom}/{@code writev}, {@code strace -c}); the
 * proxy's CPU per loopback request fell 19 % (HTTP/1.1), 23 % (ring hash), 15 % (h2c) and 21 % (HTTP/2 over TLS)
 * against epoll in one run of the benchmark harness, that of the core it shares with the origins 17 %. Two paths cost
 * more: gRPC (multiplexed both ways, so epoll already batches) 6 %, HTTP/3 (QUIC's UDP sockets) 10 %; a sidecar that
 * carries mostly those runs {@code -Doutrigger.transport=epoll}. With Netty 4.2.18 and its multishot poll requests, an upstream's TCP
 * reset that arrives right behind the last bytes of a partial response body is never reported (an origin that writes
 * 20,000 of 262,144 body bytes and closes with {@code SO_LINGER} 0: the stream ends by its idle timeout, flag SI, where
 * epoll ends it at once with UC); so unless {@code io.netty.iouring.pollAddMultishotEnabled} is given, this class
 * turns them off (+6 % CPU on HTTP/1.1, still far below epoll).
 *
 * @param name            {@code epoll}, {@code io_uring} or {@code nio}
 * @param ioHandler       the event-loop I/O handler factory
 * @param serverChannel   the listening socket type
 * @param socketChannel   creates client sockets (upstream connections)
 * @param datagramChannel the UDP socket type (DNS queries, HTTP/3)
 * @param reusePort       the transport's {@code SO_REUSEPORT} option (one UDP socket per event loop for HTTP/3), or
 *                        {@code null} when it has none (NIO)
 */
public record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel,
                        Supplier<? extends Channel> socketChannel,
                        Class<? extends DatagramChannel> datagramChannel,
                        ChannelOption<Boolean> reusePort) {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    /** Netty's switch for multishot poll requests, which lose an upstream's reset (see the class comment). */
    static final String POLL_ADD_MULTISHOT = "io.netty.iouring.pollAddMultishotEnabled";

    /** The transport {@code -Doutrigger.transport} names ({@code io_uring}, {@code epoll}, {@code nio}), else the default. */
    public static Transport detect() {
        return select(System.getProperty("outrigger.transport", "").toLowerCase(Locale.ROOT));
    }

    /**
     * @param wanted {@code io_uring}, {@code epoll}, {@code nio}, or {@code ""} for the default (io_uring)
     * @return the transport asked for when it is available, else the next one down: io_uring, epoll, NIO
     */
    static Transport select(String wanted) {
        if (!List.of("", "io_uring", "iouring", "epoll", "nio").contains(wanted)) {
            log.warn("unknown outrigger.transport '{}' (io_uring, epoll or nio); using the default", wanted);
            wanted = "";
        }
        switch (wanted) {
            case "", "io_uring", "iouring":
                if (System.getProperty(POLL_ADD_MULTISHOT) == null) {
                    System.setProperty(POLL_ADD_MULTISHOT, "false"); // read once, when IoUring initialises: see above
                }
                if (IoUring.isAvailable()) {
                    return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                            IoUringSocketChannel::new, IoUringDatagramChannel.class, IoUringChannelOption.SO_REUSEPORT);
                }
                log.info("io_uring transport unavailable ({}); trying epoll", String.valueOf(IoUring.unavailabilityCause()));
                break;
            case "nio":
                return nio();
            default: // epoll
        }
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel::new, EpollDatagramChannel.class, EpollChannelOption.SO_REUSEPORT);
        }
        log.info("native epoll transport unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        return nio();
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel::new,
                NioDatagramChannel.class, null);
    }
}
