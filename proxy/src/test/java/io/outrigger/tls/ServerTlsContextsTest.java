package io.outrigger.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.outrigger.config.ConfigLoader;
import io.outrigger.config.DownstreamTlsConfig;
import io.outrigger.config.Http3Config;
import io.outrigger.config.ListenerConfig;
import io.outrigger.config.OutriggerConfig;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsContextsTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static CertificateAuthority.Issued leaf;

    @BeforeAll
    static void issue() throws Exception {
        TestPki pki = TestPki.issue(dir);
        ca = pki.ca();
        leaf = pki.leaf();
    }

    private static DownstreamTlsConfig tls(String extra) throws Exception {
        String yaml = """
                listeners:
                  - name: l
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - { certificate_chain: D/leaf.crt, private_key: D/leaf.key }
                """.replace("D/", dir + "/") + extra + """
                    virtual_hosts: []
                """;
        OutriggerConfig config = new ConfigLoader(n -> null).load("t.yaml", yaml, TlsValidation::check);
        ListenerConfig listener = config.listeners().get(0);
        return listener.tls();
    }

    /**
     * A listener without client authentication must not load the JDK's default trust store. With
     * {@code javax.net.ssl.trustStore} pointing at a file that is no key store, the first attempt to build the JDK's
     * default trust manager fails ("problem accessing trust store"; the JDK then keeps answering with what it had
     * before, so only the first attempt tells). Building the listener's TCP and QUIC contexts must succeed and leave
     * that first attempt to the check after it; Netty's server contexts, given no trust manager, made it themselves.
     */
    @Test
    void aListenerWithoutClientCertificatesNeverLoadsTheJdkTrustStore() throws Exception {
        DownstreamTlsConfig config = tls("");
        Path garbage = Files.writeString(dir.resolve("not-a-keystore.jks"), "not a key store");
        String before = System.getProperty("javax.net.ssl.trustStore");
        System.setProperty("javax.net.ssl.trustStore", garbage.toString());
        try {
            ServerTlsContexts contexts = ServerTlsContexts.build("l", config, Http3Config.DEFAULT);
            assertThat(contexts.map("localhost")).isNotNull();
            assertThatThrownBy(() -> TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
                    .init((KeyStore) null)).hasMessageContaining("trust store");
        } finally {
            if (before == null) {
                System.clearProperty("javax.net.ssl.trustStore");
            } else {
                System.setProperty("javax.net.ssl.trustStore", before);
            }
        }
    }

    /** The handshake completes, and the server never asks for a client certificate (RFC 8446 §4.3.2). */
    @Test
    void handshakeCompletesWithoutACertificateRequest() throws Exception {
        ServerTlsContexts contexts = ServerTlsContexts.build("l", tls(""));
        AtomicInteger asked = new AtomicInteger();
        SSLEngine server = contexts.map("localhost").newEngine(ByteBufAllocator.DEFAULT);
        try {
            SSLEngine client = client(asked);
            handshake(client, server);
            assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(leaf.certificate());
            assertThat(asked).hasValue(0);
        } finally {
            ReferenceCountUtil.release(server);
        }
    }

    /** With {@code require_client_certificate}, the same client is asked for one, and has none to give: refused. */
    @Test
    void aListenerRequiringClientCertificatesAsksForOne() throws Exception {
        ServerTlsContexts contexts = ServerTlsContexts.build("l", tls("""
                      require_client_certificate: true
                      validation: { trusted_ca: D/ca.crt }
                """.replace("D/", dir + "/")));
        AtomicInteger asked = new AtomicInteger();
        SSLEngine server = contexts.map("localhost").newEngine(ByteBufAllocator.DEFAULT);
        try {
            assertThatThrownBy(() -> handshake(client(asked), server)).isInstanceOf(SSLException.class);
            assertThat(asked.get()).isPositive();
        } finally {
            ReferenceCountUtil.release(server);
        }
    }

    @Test
    void noClientCertificatesTrustsNoChain() {
        X509Certificate[] chain = {leaf.certificate()};
        assertThatThrownBy(() -> NoClientCertificates.INSTANCE.checkClientTrusted(chain, "RSA"))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> NoClientCertificates.INSTANCE.checkClientTrusted(chain, "RSA", (Socket) null))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> NoClientCertificates.INSTANCE.checkClientTrusted(chain, "RSA", (SSLEngine) null))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> NoClientCertificates.INSTANCE.checkServerTrusted(chain, "RSA"))
                .isInstanceOf(CertificateException.class);
        assertThat(NoClientCertificates.INSTANCE.getAcceptedIssuers()).isEmpty();
    }

    /** A JDK client trusting the test CA, with a key manager that counts the server's requests for a certificate. */
    private static SSLEngine client(AtomicInteger asked) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        kmf.init(empty, new char[0]);
        X509KeyManager none = (X509KeyManager) kmf.getKeyManagers()[0];
        X509ExtendedKeyManager counting = new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                asked.incrementAndGet();
                return null;
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                asked.incrementAndGet();
                return null;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return none.getClientAliases(keyType, issuers);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return none.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return null;
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return null;
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(new javax.net.ssl.KeyManager[] {counting}, tmf.getTrustManagers(), null);
        SSLEngine engine = ctx.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        return engine;
    }

    /** Runs both engines' handshakes to the end over in-memory buffers; throws what either engine throws. */
    private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        ByteBuffer sink = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 100; step++) {
            if (done(client) && done(server)) {
                return;
            }
            pump(client, toServer, server, sink);
            pump(server, toClient, client, sink);
        }
        throw new AssertionError("handshake did not finish: client " + client.getHandshakeStatus() + ", server "
                + server.getHandshakeStatus());
    }

    /** What {@code from} has to send goes through {@code wire} into {@code to}; application data lands in {@code sink}. */
    private static void pump(SSLEngine from, ByteBuffer wire, SSLEngine to, ByteBuffer sink) throws SSLException {
        from.wrap(ByteBuffer.allocate(0), wire);
        runTasks(from);
        wire.flip();
        to.unwrap(wire, sink);
        wire.compact();
        runTasks(to);
        sink.clear();
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus s = e.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
