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
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: native epoll when it loads (Linux x86_64/aarch64), otherwise NIO.
 * {@code -Doutrigger.transport=} picks one: {@code epoll}, {@code nio}, or — experimental, opt-in —
 * {@code io_uring} (Linux 5.9+, Netty's minimum, where the seccomp profile allows it: Docker 25 and later and
 * containerd 2 refuse it by default, as does {@code kernel.io_uring_disabled}); what is not available falls back to the
 * default with a log line.
 *
 * <p>Why io_uring is not the default: it submits an event-loop iteration's reads and writes in one system call (under
 * h2c load 0.08 {@code io_uring_enter} per request against epoll's 2.2 {@code recvfrom}/{@code writev},
 * {@code strace -c}); the proxy's CPU per loopback request fell 31 % (HTTP/1.1) and 17 % (h2c), that of the core it
 * shares with the origins 17 % ({@code bench/ab.sh}, {@code /proc/stat}); gRPC (multiplexed both ways) rose 6 %. With
 * Netty 4.2.18 and its multishot poll requests, an upstream's TCP reset that arrives right behind the last bytes of a
 * partial response body is never reported (an origin that writes 20,000 of 262,144 body bytes and closes with
 * {@code SO_LINGER} 0: the stream ends by its idle timeout, flag SI, where epoll ends it at once with UC); so unless
 * {@code io.netty.iouring.pollAddMultishotEnabled} is given, this class turns them off (+6 % CPU on HTTP/1.1, still
 * far below epoll). What remains: a 64 MiB HTTP/3 download through a proxy with 64 MiB of heap ran it out of memory,
 * which epoll does not.
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

    /** The transport {@code -Doutrigger.transport} names ({@code epoll}, {@code nio}, {@code io_uring}), else the default. */
    public static Transport detect() {
        return select(System.getProperty("outrigger.transport", "").toLowerCase(Locale.ROOT));
    }

    /**
     * @param wanted {@code epoll}, {@code nio}, {@code io_uring}, or {@code ""} for the default
     * @return the transport asked for when it is available, else epoll when it loads, else NIO
     */
    static Transport select(String wanted) {
        switch (wanted) {
            case "io_uring", "iouring":
                if (System.getProperty(POLL_ADD_MULTISHOT) == null) {
                    System.setProperty(POLL_ADD_MULTISHOT, "false"); // read once, when IoUring initialises: see above
                }
                if (IoUring.isAvailable()) {
                    log.info("io_uring transport (experimental)");
                    return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                            IoUringSocketChannel::new, IoUringDatagramChannel.class, IoUringChannelOption.SO_REUSEPORT);
                }
                log.info("io_uring transport unavailable ({}); using the default",
                        String.valueOf(IoUring.unavailabilityCause()));
                break;
            case "nio":
                return nio();
            case "", "epoll":
                break;
            default:
                log.warn("unknown outrigger.transport '{}' (epoll, nio or io_uring); using the default", wanted);
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
