package io.outrigger.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Runs one direction of a stream (request or response) through its filters: headers, body chunks and
 * trailers in order, each frame from filter 0 to the end, then to the direction's terminal.
 *
 * <p>When a filter stops, the frame it stopped waits. Frames that arrive later go, in order, through the filters
 * up to and including the one that stopped (Envoy's filter manager semantics: a filter that stopped the headers still
 * sees the body, so it can buffer it or wait for its end) and then wait behind the stopped frame. If the stopped filter
 * answers such a later frame with {@code CONTINUE}, iteration resumes (Envoy: continuing from a body callback continues
 * the headers too); {@code STOP} keeps it stopped. {@link #resume()} continues with the next filter, then the waiting
 * frames in order. Waiting body bytes are bounded by {@code bufferLimit}; past it, {@link #onBufferOverflow()} ends
 * the stream.
 *
 * <p>Buffers: a frame's {@code ByteBuf} belongs to this object from {@link #push} until the terminal
 * takes it or it is released by {@link #clear()}.
 */
abstract class FilterIteration {
    enum Kind { HEADERS, DATA, TRAILERS }

    /**
     * One headers, body or trailers frame on its way through the filters. Mutable so that the iteration can reuse
     * the frame of the last push when nothing kept it (most frames pass every filter in one call).
     */
    static final class Frame {
        Kind kind;
        HttpMessage message;
        ByteBuf data; // a filter may replace it while it handles the frame (replaceData)
        HttpHeaders trailers;
        boolean endStream;
        int next;
        /** The frame is, or was, in the waiting queue: the iteration still refers to it. */
        boolean held;

        Frame(Kind kind, HttpMessage message, ByteBuf data, HttpHeaders trailers, boolean endStream) {
            set(kind, message, data, trailers, endStream);
        }

        private Frame set(Kind kind, HttpMessage message, ByteBuf data, HttpHeaders trailers, boolean endStream) {
            this.kind = kind;
            this.message = message;
            this.data = data;
            this.trailers = trailers;
            this.endStream = endStream;
            this.next = 0;
            this.held = false;
            return this;
        }
    }

    /** What a filter said about a frame. */
    enum Outcome { CONTINUE, STOP }

    private final int filterCount;
    private long bufferLimit;
    /** The filter the iteration stopped at, or -1 when it runs freely. */
    private int stoppedAt = -1;
    /** Frames waiting to run, in order; {@code null} until one has to wait (most streams never stop). */
    private ArrayDeque<Frame> waiting;
    private long waitingBytes;
    private boolean stopped;
    private boolean running;
    private boolean aborted;
    /** The frame a filter is handling now, or {@code null} between calls. */
    private Frame current;
    /** Body bytes a filter added while handling trailers (they go before the trailers), or {@code null}. */
    private ByteBuf added;
    /** A frame no one refers to any more, for the next push; {@code null} while it is in use. */
    private Frame spare;

    FilterIteration(int filterCount, long bufferLimit) {
        this.filterCount = filterCount;
        this.bufferLimit = bufferLimit;
    }

    /** Calls filter {@code index} with {@code frame}. */
    abstract Outcome invoke(int index, Frame frame);

    /** The frame passed every filter. Ownership of {@code frame.data} passes to the terminal. */
    abstract void terminal(Frame frame);

    /** Waiting body bytes exceeded the limit; the stream should end. */
    abstract void onBufferOverflow();

    /**
     * Runs a frame through the filters, or queues it behind a stopped one.
     *
     * @param data a body chunk (kind {@code DATA}): ownership passes to the iteration
     */
    final void push(Kind kind, HttpMessage message, ByteBuf data, HttpHeaders trailers, boolean endStream) {
        Frame f = spare;
        spare = null; // a push from inside a filter call takes a new frame
        push(f == null ? new Frame(kind, message, data, trailers, endStream)
                : f.set(kind, message, data, trailers, endStream));
    }

    private void push(Frame frame) {
        if (aborted) {
            release(frame);
            return;
        }
        if (stopped || running || waiting != null && !waiting.isEmpty()) {
            enqueue(frame);
            if (!running) {
                if (stopped) {
                    advanceBehindStop();
                } else {
                    drive();
                }
            }
            return;
        }
        boolean passed = run(frame);
        if (!frame.held) {
            frame.set(null, null, null, null, false); // passed every filter or was released: free for the next push
            spare = frame;
        }
        if (passed) {
            drive();
        }
    }

    /** Continues after a filter stopped. */
    final void resume() {
        if (!stopped || aborted) {
            return;
        }
        stopped = false;
        stoppedAt = -1;
        if (!running) {
            drive();
        }
    }

    /** Raises or lowers the bound on waiting body bytes (a filter that buffers a whole body asks for its own). */
    final void setBufferLimit(long bytes) {
        this.bufferLimit = bytes;
        if (waitingBytes > bufferLimit) {
            onBufferOverflow(); // already more waiting than the new bound allows
        }
    }

    /**
     * While stopped at filter {@code s}: the frames waiting behind the stopped one go through the filters up to and
     * including {@code s}, in order. One that {@code s} lets through resumes the iteration; one that a filter before
     * {@code s} stops holds back the frames after it.
     */
    private void advanceBehindStop() {
        java.util.List<Frame> behind = new java.util.ArrayList<>(waiting);
        boolean resumeNow = false;
        for (int k = 1; k < behind.size() && stopped && !resumeNow; k++) { // behind.get(0) is the stopped frame
            Frame f = behind.get(k);
            int stop = stoppedAt;
            if (f.next > stop) {
                continue; // already through the stopped filter
            }
            boolean held = false;
            for (int i = f.next; i <= stop; i++) {
                current = f;
                running = true;
                Outcome o;
                try {
                    o = invoke(i, f);
                } finally {
                    current = null;
                    running = false;
                }
                if (aborted) {
                    return; // clear() released everything waiting
                }
                f.next = i + 1;
                if (o == Outcome.STOP) {
                    held = i < stop;
                    break;
                }
                if (i == stop) {
                    resumeNow = true; // the stopped filter let a later frame through: it continues
                }
            }
            if (held) {
                break;
            }
        }
        if (resumeNow && stopped) {
            stopped = false; // the stopped filter let a later frame through
            stoppedAt = -1;
        }
        if (!stopped && !aborted) {
            drive(); // also when a filter resumed from inside its callback
        }
    }

    /** Stops iterating for good and releases every waiting buffer (stream end or reset). */
    final void clear() {
        aborted = true;
        Frame f;
        while (waiting != null && (f = waiting.poll()) != null) {
            release(f);
        }
        waitingBytes = 0;
    }

    /**
     * Replaces the body chunk the current filter is handling; the rest of the chain sees {@code data}.
     *
     * @param data ownership passes here; the old chunk is released
     * @throws IllegalStateException when no filter is handling a body chunk now ({@code data} is released)
     */
    final void replaceData(ByteBuf data) {
        Frame f = current;
        if (f == null || f.kind != Kind.DATA) {
            ReferenceCountUtil.release(data);
            throw new IllegalStateException("a body chunk can only be replaced while a filter handles it");
        }
        ByteBuf old = f.data;
        f.data = data;
        ReferenceCountUtil.release(old);
    }

    /**
     * Adds body bytes before the trailers the current filter is handling (Envoy's {@code addEncodedData} from a
     * trailers callback): a compressor's last bytes, say. Only once per trailers call.
     *
     * @param data ownership passes here
     * @throws IllegalStateException when no filter is handling trailers now ({@code data} is released)
     */
    final void addDataBeforeTrailers(ByteBuf data) {
        Frame f = current;
        if (f == null || f.kind != Kind.TRAILERS || added != null) {
            ReferenceCountUtil.release(data);
            throw new IllegalStateException("body bytes can only be added once while a filter handles trailers");
        }
        added = data;
    }

    final boolean isStopped() {
        return stopped;
    }

    private ArrayDeque<Frame> waiting() {
        if (waiting == null) {
            waiting = new ArrayDeque<>(2);
        }
        return waiting;
    }

    private void enqueue(Frame frame) {
        frame.held = true;
        waiting().add(frame);
        if (frame.data != null) {
            waitingBytes += frame.data.readableBytes();
            if (waitingBytes > bufferLimit) {
                onBufferOverflow();
            }
        }
    }

    private void drive() {
        Frame f;
        while (!stopped && !aborted && waiting != null && (f = waiting.poll()) != null) {
            if (f.data != null) {
                waitingBytes -= f.data.readableBytes();
            }
            if (!run(f)) {
                return;
            }
        }
    }

    // Runs one frame from f.next; returns false when iteration stopped on it.
    private boolean run(Frame f) {
        running = true;
        try {
            for (int i = f.next; i < filterCount; i++) {
                current = f;
                Outcome o;
                try {
                    o = invoke(i, f);
                } finally {
                    current = null;
                }
                if (aborted) {
                    release(f);
                    if (added != null) {
                        ReferenceCountUtil.release(added);
                        added = null;
                    }
                    return false;
                }
                if (added != null && o == Outcome.CONTINUE) {
                    // a filter added body bytes while handling the trailers: they go through the rest of the chain
                    // first, then the trailers
                    Frame data = new Frame(Kind.DATA, null, added, null, false);
                    added = null;
                    data.next = i + 1;
                    data.held = true;
                    f.next = i + 1;
                    f.held = true;
                    waiting().addFirst(f);
                    waiting.addFirst(data);
                    waitingBytes += data.data.readableBytes();
                    return true;
                }
                if (o == Outcome.STOP) {
                    f.next = i + 1;
                    f.held = true;
                    waiting().addFirst(f);
                    if (f.data != null) {
                        waitingBytes += f.data.readableBytes();
                    }
                    stopped = true;
                    stoppedAt = i;
                    if (waiting.size() > 1) {
                        running = false;
                        advanceBehindStop(); // frames that queued while this one ran (a resume there drives them on)
                    }
                    return false;
                }
            }
            terminal(f);
            return true;
        } finally {
            running = false;
        }
    }

    private static void release(Frame f) {
        if (f.data != null) {
            ReferenceCountUtil.release(f.data);
        }
    }
}
