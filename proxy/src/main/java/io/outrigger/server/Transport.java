package io.outrigger.server;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: native epoll when it loads (Linux x86_64/aarch64), otherwise NIO. Set
 * {@code -Doutrigger.transport=nio} to force NIO.
 *
 * @param name          {@code epoll} or {@code nio}
 * @param ioHandler     the event-loop I/O handler factory
 * @param serverChannel the listening socket type
 * @param socketChannel creates client sockets (upstream connections)
 * @param datagramChannel the UDP socket type (DNS queries)
 */
public record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel,
                        Supplier<? extends Channel> socketChannel,
                        Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel) {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    public static Transport detect() {
        boolean forceNio = "nio".equalsIgnoreCase(System.getProperty("outrigger.transport"));
        if (!forceNio && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel::new,
                    io.netty.channel.epoll.EpollDatagramChannel.class);
        }
        if (!forceNio) {
            log.info("native epoll transport unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel::new,
                io.netty.channel.socket.nio.NioDatagramChannel.class);
    }
}
