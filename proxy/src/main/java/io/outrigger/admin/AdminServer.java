package io.outrigger.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.outrigger.config.OutriggerConfig;
import io.outrigger.server.OutriggerServer;
import io.outrigger.server.Transport;
import io.outrigger.upstream.ClusterManager;
import io.outrigger.worker.Worker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin listener ({@code admin.address}): a small HTTP/1.1 server for operators and tests. */
public final class AdminServer {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private final Channel channel;

    private AdminServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds the admin listener on {@code group}.
     *
     * @param addressPath where to write the bound {@code host:port}, or {@code null}
     * @throws IOException when the address file cannot be written
     */
    public static AdminServer start(OutriggerConfig config, EventLoopGroup group, Transport transport,
                                    OutriggerServer server, Map<EventLoop, Worker> workers, ClusterManager clusters,
                                    Path addressPath) throws IOException, InterruptedException {
        AdminHandler.Endpoints endpoints = new AdminHandler.Endpoints(server, clusters);
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new AdminHandler(endpoints));
                    }
                });
        Channel ch = b.bind(config.admin().address().host(), config.admin().address().port()).sync().channel();
        // the dashboard's windows move once a second, on the admin's own event loop
        ch.eventLoop().scheduleAtFixedRate(server.metrics()::tick, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
        log.info("admin on {}:{}", bound.getHostString(), bound.getPort());
        if (addressPath != null) {
            // Write then rename, so a reader never sees a half-written address.
            Path tmp = addressPath.resolveSibling(addressPath.getFileName() + ".tmp");
            Files.writeString(tmp, bound.getHostString() + ":" + bound.getPort() + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, addressPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new AdminServer(ch);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        channel.close().syncUninterruptibly();
    }
}
