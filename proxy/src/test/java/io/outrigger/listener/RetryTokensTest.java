package io.outrigger.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.outrigger.config.Http3Config;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryTokensTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final InetSocketAddress client = new InetSocketAddress("192.0.2.7", 40000);
    private final ByteBuf dcid = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

    private RetryTokens tokens(Http3Config.AddressValidation mode) {
        Http3Config c = new Http3Config(100, 65536, 1 << 20, java.time.Duration.ofSeconds(30), 1350, mode, 4);
        return new RetryTokens(c, pending::get, now::get, new SecureRandom(), retries::incrementAndGet);
    }

    private ByteBuf issue(RetryTokens t) {
        ByteBuf out = Unpooled.buffer();
        assertThat(t.writeToken(out, dcid, client)).isTrue();
        assertThat(out.readableBytes()).isLessThanOrEqualTo(t.maxTokenLength());
        return out;
    }

    @Test
    void underLoadAsksForRetryOnlyAbovePendingHandshakes() {
        RetryTokens t = tokens(Http3Config.AddressValidation.UNDER_LOAD);
        pending.set(4);
        assertThat(t.writeToken(Unpooled.buffer(), dcid, client)).isFalse();
        pending.set(5);
        issue(t).release();
        assertThat(retries.get()).isEqualTo(1);
        assertThat(tokens(Http3Config.AddressValidation.NEVER).writeToken(Unpooled.buffer(), dcid, client)).isFalse();
        pending.set(0);
        issue(tokens(Http3Config.AddressValidation.ALWAYS)).release();
    }

    @Test
    void aTokenIsValidFromItsAddressWithinItsLifetimeAndCarriesTheOriginalConnectionId() {
        RetryTokens t = tokens(Http3Config.AddressValidation.ALWAYS);
        ByteBuf token = issue(t);
        int offset = t.validateToken(token, client);
        assertThat(offset).isPositive();
        assertThat(token.slice(offset, token.readableBytes() - offset)).isEqualTo(dcid);
        assertThat(t.validateToken(token, new InetSocketAddress("192.0.2.7", 40001))).isEqualTo(-1);
        assertThat(t.validateToken(token, new InetSocketAddress("192.0.2.8", 40000))).isEqualTo(-1);
        now.addAndGet(RetryTokens.LIFETIME_MS + 1);
        assertThat(t.validateToken(token, client)).isEqualTo(-1);
        token.release();
    }

    @Test
    void aTamperedForeignOrTruncatedTokenIsRejected() {
        RetryTokens t = tokens(Http3Config.AddressValidation.ALWAYS);
        ByteBuf token = issue(t);
        ByteBuf other = issue(tokens(Http3Config.AddressValidation.ALWAYS)); // another key
        assertThat(t.validateToken(other, client)).isEqualTo(-1);
        token.setByte(token.writerIndex() - 1, token.getByte(token.writerIndex() - 1) ^ 1); // another odcid
        assertThat(t.validateToken(token, client)).isEqualTo(-1);
        assertThat(t.validateToken(Unpooled.wrappedBuffer(new byte[10]), client)).isEqualTo(-1);
        token.release();
        other.release();
    }
}
