package io.outrigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterIterationTest {
    /** Records every call; filter {@code stopAt} stops on the frame kind {@code stopKind} once. */
    static class Recorder extends FilterIteration {
        final List<String> calls = new ArrayList<>();
        final List<ByteBuf> delivered = new ArrayList<>();
        int stopAt = -1;
        Kind stopKind;
        /** While set, filter {@code holdDataAt} answers body chunks with STOP (buffering them). */
        int holdDataAt = -1;
        boolean overflowed;

        Recorder(int filters, long limit) {
            super(filters, limit);
        }

        @Override
        Outcome invoke(int index, Frame frame) {
            calls.add(index + ":" + frame.kind);
            if (index == stopAt && frame.kind == stopKind) {
                stopAt = -1;
                return Outcome.STOP;
            }
            if (index == holdDataAt && frame.kind == Kind.DATA) {
                return Outcome.STOP;
            }
            return Outcome.CONTINUE;
        }

        @Override
        void terminal(Frame frame) {
            calls.add("end:" + frame.kind);
            if (frame.data != null) {
                delivered.add(frame.data);
            }
        }

        @Override
        void onBufferOverflow() {
            overflowed = true;
        }
    }

    static void headers(FilterIteration r) {
        r.push(FilterIteration.Kind.HEADERS, null, null, null, false);
    }

    /** Pushes a body chunk; returns it (the iteration owns it now) so a test can look at its reference count. */
    static ByteBuf data(FilterIteration r, String s, boolean end) {
        ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
        r.push(FilterIteration.Kind.DATA, null, b, null, end);
        return b;
    }

    @Test
    void continuesThroughEveryFilterInOrder() {
        Recorder r = new Recorder(2, 1024);
        headers(r);
        data(r, "a", true);
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "end:HEADERS", "0:DATA", "1:DATA", "end:DATA");
        r.delivered.forEach(ByteBuf::release);
    }

    @Test
    void framesAfterAStopReachTheStoppedFilterAndStayBehindTheStoppedHeadersUntilResume() {
        Recorder r = new Recorder(3, 1024);
        r.stopAt = 1;
        r.stopKind = FilterIteration.Kind.HEADERS;
        r.holdDataAt = 1; // filter 1 buffers the body while it holds the headers (Envoy's StopIterationAndBuffer)
        headers(r);
        data(r, "a", false);
        data(r, "b", true);
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "0:DATA", "1:DATA", "0:DATA", "1:DATA");
        assertThat(r.isStopped()).isTrue();
        r.holdDataAt = -1;
        r.resume();
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "0:DATA", "1:DATA", "0:DATA", "1:DATA",
                "2:HEADERS", "end:HEADERS", "2:DATA", "end:DATA", "2:DATA", "end:DATA");
        assertThat(r.delivered).extracting(b -> b.toString(StandardCharsets.US_ASCII)).containsExactly("a", "b");
        r.delivered.forEach(ByteBuf::release);
    }

    @Test
    void theStoppedFilterLettingABodyChunkThroughResumesTheHeadersFirst() {
        Recorder r = new Recorder(3, 1024);
        r.stopAt = 1;
        r.stopKind = FilterIteration.Kind.HEADERS;
        headers(r);
        data(r, "a", true); // filter 1 answers CONTINUE: Envoy continues the headers, then this chunk
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "0:DATA", "1:DATA", "2:HEADERS", "end:HEADERS",
                "2:DATA", "end:DATA");
        assertThat(r.isStopped()).isFalse();
        r.delivered.forEach(ByteBuf::release);
    }

    @Test
    void clearReleasesHeldBuffersAndOverflowIsReported() {
        Recorder r = new Recorder(1, 4);
        r.stopAt = 0;
        r.stopKind = FilterIteration.Kind.HEADERS;
        r.holdDataAt = 0;
        headers(r);
        ByteBuf a = data(r, "abc", false);
        assertThat(r.overflowed).isFalse();
        ByteBuf b = data(r, "defg", true);
        assertThat(r.overflowed).isTrue();
        r.clear();
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
        ByteBuf late = data(r, "late", true);
        assertThat(late.refCnt()).isZero();
    }

    @Test
    void aFilterReplacesABodyChunkAndAddsBytesBeforeTheTrailersThatTheRestOfTheChainSees() {
        List<String> seenBy1 = new ArrayList<>();
        FilterIteration[] self = new FilterIteration[1];
        Recorder r = new Recorder(2, 1024) {
            @Override
            Outcome invoke(int index, Frame frame) {
                if (index == 0 && frame.kind == Kind.DATA) {
                    self[0].replaceData(Unpooled.copiedBuffer(frame.data.toString(StandardCharsets.US_ASCII).toUpperCase(),
                            StandardCharsets.US_ASCII)); // the old chunk is released by the iteration
                }
                if (index == 0 && frame.kind == Kind.TRAILERS) {
                    self[0].addDataBeforeTrailers(Unpooled.copiedBuffer("!", StandardCharsets.US_ASCII));
                }
                if (index == 1 && frame.kind == Kind.DATA) {
                    seenBy1.add(frame.data.toString(StandardCharsets.US_ASCII));
                }
                return super.invoke(index, frame);
            }
        };
        self[0] = r;
        headers(r);
        ByteBuf original = data(r, "abc", false);
        r.push(FilterIteration.Kind.TRAILERS, null, null, new io.netty.handler.codec.http.DefaultHttpHeaders(), true);
        assertThat(original.refCnt()).isZero(); // replaced by the filter: the iteration released it
        assertThat(seenBy1).containsExactly("ABC", "!");
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "end:HEADERS", "0:DATA", "1:DATA", "end:DATA",
                "0:TRAILERS", "1:DATA", "end:DATA", "1:TRAILERS", "end:TRAILERS");
        assertThat(r.delivered).extracting(b -> b.toString(StandardCharsets.US_ASCII)).containsExactly("ABC", "!");
        r.delivered.forEach(ByteBuf::release);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.replaceData(Unpooled.buffer(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFilterThatResumesFromInsideABodyCallbackDrivesTheWaitingFramesOn() {
        FilterIteration[] self = new FilterIteration[1];
        Recorder r = new Recorder(2, 1024) {
            @Override
            Outcome invoke(int index, Frame frame) {
                Outcome o = super.invoke(index, frame);
                if (index == 0 && frame.kind == Kind.DATA) {
                    self[0].resume(); // e.g. a filter that was waiting for the first body bytes, then passes it
                    return Outcome.CONTINUE;
                }
                return o;
            }
        };
        self[0] = r;
        r.stopAt = 0;
        r.stopKind = FilterIteration.Kind.HEADERS;
        headers(r);
        data(r, "a", true);
        assertThat(r.isStopped()).isFalse();
        assertThat(r.calls).containsExactly("0:HEADERS", "0:DATA", "1:HEADERS", "end:HEADERS", "1:DATA", "end:DATA");
        r.delivered.forEach(ByteBuf::release);
    }

    @Test
    void aFrameThatPassedIsReusedButOneThatStoppedKeepsItsContentUntilItRuns() {
        Recorder r = new Recorder(2, 1024);
        headers(r); // passes every filter: its frame is reused by the next push
        r.stopAt = 1;
        r.stopKind = FilterIteration.Kind.DATA;
        data(r, "kept", false); // stops at filter 1 and waits
        r.push(FilterIteration.Kind.TRAILERS, null, null, new io.netty.handler.codec.http.DefaultHttpHeaders(), true);
        r.resume();
        assertThat(r.calls).containsExactly("0:HEADERS", "1:HEADERS", "end:HEADERS", "0:DATA", "1:DATA", "0:TRAILERS",
                "1:TRAILERS", "end:DATA", "end:TRAILERS");
        assertThat(r.delivered).extracting(b -> b.toString(StandardCharsets.US_ASCII)).containsExactly("kept");
        r.delivered.forEach(ByteBuf::release);
    }
}
