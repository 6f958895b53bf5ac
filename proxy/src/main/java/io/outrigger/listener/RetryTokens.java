package io.outrigger.listener;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.outrigger.config.Http3Config;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC address validation with Retry packets (RFC 9000 §8.1.2): when {@code address_validation} asks for it — always,
 * or {@code under_load} while more handshakes are unfinished than {@code retry_above_pending_handshakes} — a new
 * connection's first Initial is answered with a Retry carrying a token; the client's next Initial must bring it back
 * from the same address within {@link #LIFETIME_MS}. The token is {@code HMAC-SHA256(key, issued ‖ address ‖ port ‖
 * odcid) ‖ issued (8 bytes, ms) ‖ odcid}; the key is random per process, so tokens do not outlive it. HMAC from the
 * JDK's {@link Mac}, one instance per thread.
 */
public final class RetryTokens implements QuicTokenHandler {
    /** How long a Retry token is accepted, ms: a round trip and some. */
    static final long LIFETIME_MS = 10_000;
    private static final int MAC_BYTES = 32;
    private static final int PREFIX = MAC_BYTES + Long.BYTES;
    private static final int MAX_CID = 20;

    private final Http3Config.AddressValidation mode;
    private final int pendingThreshold;
    private final IntSupplier pendingHandshakes;
    private final LongSupplier clockMs;
    private final FastThreadLocal<Mac> macs;
    private final Runnable onRetry;

    /**
     * @param pendingHandshakes the listener's unfinished handshakes now
     * @param clockMs           wall-clock milliseconds (injected for tests)
     * @param random            where the key comes from
     * @param onRetry           called for each Retry asked for (a counter)
     */
    public RetryTokens(Http3Config config, IntSupplier pendingHandshakes, LongSupplier clockMs, SecureRandom random,
                       Runnable onRetry) {
        this.onRetry = onRetry;
        this.mode = config.addressValidation();
        this.pendingThreshold = config.retryAbovePendingHandshakes();
        this.pendingHandshakes = pendingHandshakes;
        this.clockMs = clockMs;
        byte[] key = new byte[32];
        random.nextBytes(key);
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.macs = new FastThreadLocal<>() {
            @Override
            protected Mac initialValue() throws GeneralSecurityException {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
            }
        };
    }

    /** Whether a client's first Initial is answered with a Retry now. */
    boolean retryNow() {
        return switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case UNDER_LOAD -> pendingHandshakes.getAsInt() > pendingThreshold;
        };
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        if (!retryNow()) {
            return false;
        }
        onRetry.run();
        long issued = clockMs.getAsLong();
        out.writeBytes(mac(issued, address, dcid, dcid.readerIndex(), dcid.readableBytes()));
        out.writeLong(issued);
        out.writeBytes(dcid, dcid.readerIndex(), dcid.readableBytes());
        return true;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int len = token.readableBytes();
        if (len < PREFIX || len > PREFIX + MAX_CID) {
            return -1;
        }
        int start = token.readerIndex();
        long issued = token.getLong(start + MAC_BYTES);
        long age = clockMs.getAsLong() - issued;
        if (age < 0 || age > LIFETIME_MS) {
            return -1;
        }
        byte[] expected = mac(issued, address, token, start + PREFIX, len - PREFIX);
        byte[] got = new byte[MAC_BYTES];
        token.getBytes(start, got);
        return MessageDigest.isEqual(expected, got) ? PREFIX : -1;
    }

    @Override
    public int maxTokenLength() {
        return PREFIX + MAX_CID;
    }

    private byte[] mac(long issued, InetSocketAddress address, ByteBuf cid, int from, int length) {
        Mac m = macs.get();
        for (int i = 7; i >= 0; i--) {
            m.update((byte) (issued >>> (i * 8)));
        }
        m.update(address.getAddress().getAddress());
        m.update((byte) (address.getPort() >>> 8));
        m.update((byte) address.getPort());
        byte[] id = new byte[length];
        cid.getBytes(from, id);
        m.update(id);
        return m.doFinal();
    }
}
