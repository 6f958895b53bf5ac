package io.outrigger.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicSslEngine;
import io.outrigger.config.DownstreamTlsConfig;
import io.outrigger.config.Http3Config;
import io.outrigger.config.FileRef;
import io.outrigger.config.TlsCertificateConfig;
import io.outrigger.tls.CertificateMaterial.InvalidMaterialException;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's server contexts, selected by SNI ({@link Mapping} for Netty's {@code SniHandler}):
 * exact names and {@code *.suffix} wildcards, the first certificate as the default. The whole mapping is
 * an immutable snapshot swapped with one volatile write when {@link #reloadIfChanged()} finds new files,
 * so new connections get the new certificate and open ones keep theirs. A broken new file keeps the old
 * snapshot and is logged once.
 */
public final class ServerTlsContexts implements Mapping<String, SslContext> {
    private static final Logger log = LoggerFactory.getLogger(ServerTlsContexts.class);

    /** One version of the listener's certificates: for TCP, and for QUIC when the listener serves HTTP/3. */
    private record Snapshot(Mapping<String, SslContext> tcp, QuicSslContext quic) {
    }

    private final String listener;
    private final DownstreamTlsConfig config;
    private final Http3Config http3;
    private volatile Snapshot current;
    private byte[] fingerprint;      // reloader thread only
    private byte[] failedFingerprint; // reloader thread only
    private String lastError;         // reloader thread only

    private ServerTlsContexts(String listener, DownstreamTlsConfig config, Http3Config http3, Snapshot snapshot,
                              byte[] fingerprint) {
        this.listener = listener;
        this.config = config;
        this.http3 = http3;
        this.current = snapshot;
        this.fingerprint = fingerprint;
    }

    /**
     * Loads every certificate, key and CA of a listener's {@code tls} section.
     *
     * @throws InvalidMaterialException naming the YAML node of the file at fault
     */
    public static ServerTlsContexts build(String listener, DownstreamTlsConfig config) throws InvalidMaterialException {
        return build(listener, config, null);
    }

    /**
     * Loads every certificate, key and CA of a listener's {@code tls} section, for TCP and, with {@code http3}, for
     * QUIC too (TLS 1.3, ALPN {@code h3}).
     *
     * @param http3 the listener's {@code http3}, or {@code null} when it serves no HTTP/3
     * @throws InvalidMaterialException naming the YAML node of the file at fault
     */
    public static ServerTlsContexts build(String listener, DownstreamTlsConfig config, Http3Config http3)
            throws InvalidMaterialException {
        Snapshot snapshot = snapshot(config, http3); // first: its errors are the most precise
        return new ServerTlsContexts(listener, config, http3, snapshot, fingerprint(config));
    }

    @Override
    public SslContext map(String serverName) {
        return current.tcp().map(serverName);
    }

    /**
     * A TLS engine for a new QUIC connection, from the current certificates (SNI picks among them during the
     * handshake).
     *
     * @throws IllegalStateException when the listener serves no HTTP/3
     */
    public QuicSslEngine newQuicEngine(QuicChannel channel) {
        QuicSslContext quic = current.quic();
        if (quic == null) {
            throw new IllegalStateException("listener '" + listener + "' serves no HTTP/3");
        }
        return quic.newEngine(channel.alloc());
    }

    public DownstreamTlsConfig config() {
        return config;
    }

    /**
     * Rebuilds the contexts when any file's content changed (also when a {@code ..data} symlink was swapped,
     * since files are read through their links). Call from one background thread, never an event loop.
     *
     * @return whether a new snapshot was published
     */
    public boolean reloadIfChanged() {
        byte[] fp;
        try {
            fp = fingerprint(config);
        } catch (InvalidMaterialException e) {
            fp = null; // a file is missing mid-swap: try to build anyway to get a precise error
        }
        if (fp != null && (Arrays.equals(fp, fingerprint) || Arrays.equals(fp, failedFingerprint))) {
            return false;
        }
        try {
            current = snapshot(config, http3);
            fingerprint = fp == null ? fingerprint(config) : fp;
            failedFingerprint = null;
            lastError = null;
            log.info("listener '{}': reloaded TLS certificates", listener);
            return true;
        } catch (InvalidMaterialException e) {
            String error = e.getMessage() + " (" + e.node().location() + ")";
            if (!error.equals(lastError)) { // one log line per distinct problem, not one per poll
                log.error("listener '{}': new TLS files rejected, keeping the previous certificates: {}", listener, error);
            }
            lastError = error;
            failedFingerprint = fp;
            return false;
        }
    }

    private static Snapshot snapshot(DownstreamTlsConfig config, Http3Config http3) throws InvalidMaterialException {
        return new Snapshot(mapping(config), http3 == null ? null : quicContext(config, http3));
    }

    /** The QUIC context: the first certificate's, with every certificate selectable by SNI. */
    private static QuicSslContext quicContext(DownstreamTlsConfig config, Http3Config http3) throws InvalidMaterialException {
        List<X509Certificate> trusted = config.trustedCa() == null ? List.of()
                : CertificateMaterial.certificates(config.trustedCa());
        if (config.certificates().size() == 1) {
            // one certificate: no SNI switch (moving a handshake to another SSL_CTX loses 0-RTT acceptance)
            TlsCertificateConfig only = config.certificates().get(0);
            return quicBuilder(config, http3, CertificateMaterial.load(only), trusted, only).build();
        }
        List<QuicSslContext> contexts = new ArrayList<>();
        for (TlsCertificateConfig c : config.certificates()) {
            contexts.add(quicBuilder(config, http3, CertificateMaterial.load(c), trusted, c).build());
        }
        DomainWildcardMappingBuilder<QuicSslContext> builder = new DomainWildcardMappingBuilder<>(contexts.get(0));
        for (int i = 0; i < contexts.size(); i++) {
            for (String name : config.certificates().get(i).serverNames()) {
                builder.add(name, contexts.get(i));
            }
        }
        Mapping<String, QuicSslContext> sni = builder.build();
        TlsCertificateConfig first = config.certificates().get(0);
        return quicBuilder(config, http3, CertificateMaterial.load(first), trusted, first).sni(sni).build();
    }

    private static QuicSslContextBuilder quicBuilder(DownstreamTlsConfig config, Http3Config http3, CertificateMaterial m,
                                                     List<X509Certificate> trusted, TlsCertificateConfig c)
            throws InvalidMaterialException {
        try {
            QuicSslContextBuilder b = QuicSslContextBuilder.forServer(m.keyManagerFactory(), null)
                    .applicationProtocols(Http3.supportedApplicationProtocols())
                    .earlyData(false) // 0-RTT off: no request is replayable (RFC 9001 §9.2, RFC 8470)
                    .sessionTimeout(300);
            if (config.requireClientCertificate()) {
                b.clientAuth(ClientAuth.REQUIRE).trustManager(new SanCheckingTrustManager(trusted, config.matchSubjectAltNames()));
            } else {
                b.trustManager(NoClientCertificates.INSTANCE); // else Netty loads the JDK's CA bundle, unused
            }
            return b;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            throw new InvalidMaterialException(c.certificateChain().node(), "cannot use " + c.certificateChain()
                    + " with " + c.privateKey() + " for QUIC: " + e.getMessage(), e);
        }
    }

    private static Mapping<String, SslContext> mapping(DownstreamTlsConfig config) throws InvalidMaterialException {
        List<X509Certificate> trusted = config.trustedCa() == null ? List.of()
                : CertificateMaterial.certificates(config.trustedCa());
        List<SslContext> contexts = new ArrayList<>();
        for (TlsCertificateConfig c : config.certificates()) {
            CertificateMaterial m = CertificateMaterial.load(c);
            contexts.add(context(config, m, trusted, c));
        }
        DomainWildcardMappingBuilder<SslContext> builder = new DomainWildcardMappingBuilder<>(contexts.get(0));
        for (int i = 0; i < contexts.size(); i++) {
            for (String name : config.certificates().get(i).serverNames()) {
                builder.add(name, contexts.get(i));
            }
        }
        return builder.build();
    }

    private static SslContext context(DownstreamTlsConfig config, CertificateMaterial m, List<X509Certificate> trusted,
                                      TlsCertificateConfig c) throws InvalidMaterialException {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(m.key(), m.chain().toArray(new X509Certificate[0]))
                    .keyStoreType(CertificateMaterial.IN_MEMORY_KEY_STORE)
                    .sslProvider(TlsProviders.provider())
                    .protocols(TlsProviders.PROTOCOLS)
                    .ciphers(TlsProviders.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .sessionTimeout(300)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, config.alpnProtocols()));
            if (config.requireClientCertificate()) {
                b.clientAuth(ClientAuth.REQUIRE).trustManager(new SanCheckingTrustManager(trusted, config.matchSubjectAltNames()));
            } else {
                b.trustManager(NoClientCertificates.INSTANCE); // else Netty loads the JDK's CA bundle, unused
            }
            return b.build();
        } catch (SSLException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new InvalidMaterialException(c.certificateChain().node(), "cannot use " + c.certificateChain()
                    + " with " + c.privateKey() + ": " + e.getMessage(), e);
        }
    }

    // SHA-256 over every file the section names, read through symlinks.
    private static byte[] fingerprint(DownstreamTlsConfig config) throws InvalidMaterialException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<FileRef> files = new ArrayList<>();
        for (TlsCertificateConfig c : config.certificates()) {
            files.add(c.certificateChain());
            files.add(c.privateKey());
            if (c.privateKeyPassword() != null && c.privateKeyPassword().filename() != null) {
                files.add(c.privateKeyPassword().filename());
            }
        }
        if (config.trustedCa() != null) {
            files.add(config.trustedCa());
        }
        for (FileRef f : files) {
            try {
                md.update(Files.readAllBytes(f.path()));
            } catch (IOException e) {
                throw new InvalidMaterialException(f.node(), "cannot read " + f + ": " + e, e);
            }
        }
        return md.digest();
    }
}
