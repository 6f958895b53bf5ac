package io.outrigger.codec.http3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link QuicSendBacklog} on an {@link EmbeddedChannel}, whose writes complete when flushed — as a QUIC stream's
 * complete when QUIC accepts the frame.
 */
class QuicSendBacklogTest {
    @Test
    void writableOnlyOnceEveryFrameWasAcceptedAndThenOnceNotified() {
        EmbeddedChannel ch = new EmbeddedChannel();
        AtomicInteger notified = new AtomicInteger();
        QuicSendBacklog backlog = new QuicSendBacklog(ch, notified::incrementAndGet);
        assertThat(backlog.writable()).isTrue();
        ch.write(Unpooled.wrappedBuffer(new byte[10]), backlog.track());
        ch.write(Unpooled.wrappedBuffer(new byte[10]), backlog.track());
        assertThat(backlog.writable()).isFalse(); // two frames not taken yet
        assertThat(notified).hasValue(0);
        ch.flush();
        assertThat(backlog.writable()).isTrue();
        assertThat(notified).hasValue(1); // once, when the last one was taken
        releaseOutbound(ch);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aFailedFrameNoLongerCountsAndAChannelWithoutCapacityIsNotWritable() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        AtomicInteger notified = new AtomicInteger();
        QuicSendBacklog backlog = new QuicSendBacklog(ch, notified::incrementAndGet);
        ch.write(Unpooled.wrappedBuffer(new byte[10]), backlog.track());
        assertThat(backlog.writable()).isFalse();
        ch.close(); // the queued frame fails (and is released)
        assertThat(notified).hasValue(1);
        assertThat(ch.isWritable()).isFalse();
        assertThat(backlog.writable()).isFalse(); // nothing pending, but the channel is not writable
    }

    private static void releaseOutbound(EmbeddedChannel ch) {
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            b.release();
        }
    }
}
