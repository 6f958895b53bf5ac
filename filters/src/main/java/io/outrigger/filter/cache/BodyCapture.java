package io.outrigger.filter.cache;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A response body copied as it streams to the caller, up to a bound: the caller's bytes are never held back.
 */
final class BodyCapture {
    private final long max;
    private byte[] body;
    private int length;

    /**
     * @param expected the announced length, or -1 when unknown (bytes)
     * @param max      the most kept (bytes)
     */
    BodyCapture(long expected, long max) {
        this.max = max;
        this.body = new byte[(int) Math.max(0, Math.min(expected < 0 ? 8192 : expected, max))];
    }

    /**
     * Copies a chunk's readable bytes.
     *
     * @param data not released or moved (the filter manager owns it)
     * @return false when the body would pass the bound (nothing more is kept)
     */
    boolean append(ByteBuf data) {
        int n = data.readableBytes();
        if ((long) length + n > max) {
            body = null;
            return false;
        }
        if (length + n > body.length) {
            body = Arrays.copyOf(body, (int) Math.min(max, Math.max((long) body.length * 2, length + n)));
        }
        data.getBytes(data.readerIndex(), body, length, n);
        length += n;
        return true;
    }

    /** The whole body (handed over: the capture is done). */
    byte[] whole() {
        byte[] out = length == body.length ? body : Arrays.copyOf(body, length);
        body = null;
        return out;
    }
}
