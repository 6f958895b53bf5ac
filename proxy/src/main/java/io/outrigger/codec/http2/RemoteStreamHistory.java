package io.outrigger.codec.http2;

/**
 * What became of the peer's most recent stream ids, for telling apart the frames RFC 9113 treats differently on a
 * stream that is no longer in the connection's stream map: an id the peer skipped (never opened, §5.1.1: a connection
 * error PROTOCOL_ERROR if it is used now), a stream that closed normally (§5.1 closed: HEADERS on it is a connection
 * error STREAM_CLOSED), and a stream this endpoint reset (§5.1: frames the peer sent before seeing the RST_STREAM must be
 * tolerated). Bounded: a ring of {@value #WINDOW} slots, one per peer-initiated id (ids of one parity), so the history
 * covers the last {@value #WINDOW} ids below the highest one opened; anything older is {@link Fate#UNKNOWN}.
 * 64 bytes per connection. Ids are assumed strictly increasing as RFC 9113 §5.1.1 requires (the codec checks).
 */
final class RemoteStreamHistory {
    static final int WINDOW = 256;

    /** What happened to a peer stream id at or below the highest one opened. */
    enum Fate { NEVER_OPENED, OPEN_OR_CLOSED, RESET_BY_US, UNKNOWN }

    private final long[] opened = new long[WINDOW / 64];
    private final long[] resetByUs = new long[WINDOW / 64];
    private int highest; // highest peer stream id opened; 0: none

    /** A peer stream {@code id} was opened; ids skipped since the last one are recorded as never opened. */
    void opened(int id) {
        if (id <= highest) {
            return;
        }
        int skipped = (id - highest) / 2 - 1;
        if (skipped >= WINDOW) {
            java.util.Arrays.fill(opened, 0);
            java.util.Arrays.fill(resetByUs, 0);
        } else {
            for (int i = highest + 2; i < id; i += 2) {
                clear(i);
            }
        }
        clear(id);
        set(opened, id);
        highest = id;
    }

    /** The peer stream {@code id} closed; {@code resetSent}: because this endpoint sent RST_STREAM. */
    void closed(int id, boolean resetSent) {
        if (resetSent && inWindow(id)) {
            set(resetByUs, id);
        }
    }

    Fate fate(int id) {
        if (id > highest || !inWindow(id)) {
            return Fate.UNKNOWN;
        }
        if (!get(opened, id)) {
            return Fate.NEVER_OPENED;
        }
        return get(resetByUs, id) ? Fate.RESET_BY_US : Fate.OPEN_OR_CLOSED;
    }

    private boolean inWindow(int id) {
        return id > 0 && id <= highest && (highest - id) / 2 < WINDOW;
    }

    private void clear(int id) {
        int slot = slot(id);
        opened[slot >>> 6] &= ~(1L << slot);
        resetByUs[slot >>> 6] &= ~(1L << slot);
    }

    private static void set(long[] bits, int id) {
        int slot = slot(id);
        bits[slot >>> 6] |= 1L << slot;
    }

    private static boolean get(long[] bits, int id) {
        int slot = slot(id);
        return (bits[slot >>> 6] & (1L << slot)) != 0;
    }

    private static int slot(int id) {
        return (id >>> 1) & (WINDOW - 1);
    }
}
