package io.outrigger.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.outrigger.tls.ClientCertificates;
import io.outrigger.tls.TlsAttributes;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
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
        try {
            Certificate[] peer = session.getPeerCertificates();
            Certificate[] local = session.getLocalCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate client) {
                String by = local != null && local.length > 0 && local[0] instanceof X509Certificate own
                        ? ClientCertificates.firstUri(own) : null;
                ctx.channel().attr(TlsAttributes.XFCC).set(ClientCertificates.xfcc(client, by));
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate (mTLS not required): nothing to forward
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        pipelines.onHandshakeFailure(ctx.channel(), cause);
        ctx.close();
    }
}
