package io.outrigger.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.outrigger.tls.ClientCertificates;
import io.outrigger.tls.TlsAttributes;
import javax.net.ssl.SSLSession;

/**
 * After the TLS handshake of a downstream connection ({@code SniHandler/SslHandler -> this}): records the
 * verified client certificate as the connection's {@code x-forwarded-client-cert} value, then lets the
 * ALPN result pick the codec ({@code h2}, else HTTP/1.1) and removes itself.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {
    private final ListenerInitializer pipelines;

    AlpnHandler(ListenerInitializer pipelines) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.pipelines = pipelines;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null) {
            recordClientCertificate(ctx, ssl.engine().getSession());
        }
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            pipelines.addHttp2(ctx.pipeline(), ctx.channel());
        } else {
            pipelines.addHttp1(ctx.pipeline(), ctx.channel());
        }
    }

    private static void recordClientCertificate(ChannelHandlerContext ctx, SSLSession session) {
        String xfcc = ClientCertificates.xfcc(session);
        if (xfcc != null) {
            ctx.channel().attr(TlsAttributes.XFCC).set(xfcc);
            ctx.channel().attr(TlsAttributes.PEER_CERTIFICATE).set(ClientCertificates.peerCertificate(session));
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        pipelines.onHandshakeFailure(ctx.channel(), cause);
        ctx.close();
    }
}
