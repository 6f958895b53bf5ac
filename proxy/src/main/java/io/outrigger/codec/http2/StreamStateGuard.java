package io.outrigger.codec.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Stream;
import io.outrigger.codec.RequestHeadersTimer;
import java.util.List;

/**
 * Applies RFC 9113's stream-state rules for HEADERS frames that Netty's decoder cannot tell apart (it keeps no
 * record of closed streams, so it answers all of them with a stream error): HEADERS on a stream id lower than one the
 * peer already opened and never used is a connection error PROTOCOL_ERROR (§5.1.1); HEADERS on a stream that closed
 * normally is a connection error STREAM_CLOSED (§5.1 closed); HEADERS on a half-closed (remote) stream is a stream
 * error STREAM_CLOSED (§5.1, see {@link #correct}). Frames on a stream this endpoint reset keep Netty's
 * handling (tolerated, §5.1). Only connection errors are raised here, before the frame is read: a stream error must
 * wait until the header block is decoded, or the HPACK context would go out of step (RFC 9113 §4.3).
 *
 * <p>It walks the frame headers of each read (9 bytes each, RFC 9113 §4.1) without copying; only a HEADERS frame
 * whose id is not above every id seen so far splits the read, so the frames before it are decoded first and the check
 * sees the stream state they leave. It relies on Netty's frame reader consuming a frame header as soon as its 9 bytes
 * are there and a payload only when it is complete.
 */
final class StreamStateGuard extends DecoratingHttp2ConnectionDecoder {
    private final RemoteStreamHistory history;
    /** Payload bytes of a frame whose header the reader has already consumed; they start the next read. */
    private int pendingPayload;
    private int highestHeadersId;
    /** A stream that got HEADERS while half-closed (remote): Netty calls it "too many headers", PROTOCOL_ERROR. */
    private int halfClosedHeaders;

    private final RequestHeadersTimer headersTimer;

    /**
     * @param headersTimer told when a header block opens (HEADERS without END_HEADERS) and when it completes
     *                     (CONTINUATION with END_HEADERS): {@code request_headers_timeout} for HTTP/2
     */
    StreamStateGuard(Http2ConnectionDecoder delegate, RemoteStreamHistory history, RequestHeadersTimer headersTimer) {
        super(delegate);
        this.history = history;
        this.headersTimer = headersTimer;
    }

    /** @param in the read so far (cumulated); the bytes decoded are consumed from it, the caller releases it */
    @Override
    public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
        try {
            int end = in.writerIndex();
            int pos = in.readerIndex() + pendingPayload;
            int payload = pendingPayload; // payload length of the frame that ends at pos
            while (end - pos >= Http2CodecUtil.FRAME_HEADER_LENGTH) {
                payload = in.getUnsignedMedium(pos);
                int streamId = in.getInt(pos + 5) & Integer.MAX_VALUE;
                byte type = in.getByte(pos + 3);
                if (type == Http2FrameTypes.HEADERS || type == Http2FrameTypes.CONTINUATION) {
                    boolean endHeaders = (in.getByte(pos + 4) & Http2Flags.END_HEADERS) != 0;
                    if (!endHeaders) {
                        headersTimer.headersStarted(); // no-op while a block is already open
                    } else if (type == Http2FrameTypes.CONTINUATION) {
                        headersTimer.headersComplete();
                    }
                }
                if (type == Http2FrameTypes.HEADERS) {
                    if (streamId <= highestHeadersId) {
                        decodeBefore(ctx, in, pos, out);
                        check(streamId);
                    } else {
                        highestHeadersId = streamId;
                    }
                }
                pos += Http2CodecUtil.FRAME_HEADER_LENGTH + payload;
            }
            super.decodeFrame(ctx, in, out);
            // the reader consumes a frame header at once but keeps an incomplete payload in the buffer
            pendingPayload = pos > end ? payload : 0;
        } catch (Http2Exception | RuntimeException e) {
            pendingPayload = 0; // the reader stops at a frame boundary when it throws
            throw e;
        }
    }

    /**
     * The stream error RFC 9113 requires for {@code e}: STREAM_CLOSED for HEADERS on a half-closed (remote) stream
     * (§5.1), which Netty's decoder reports as PROTOCOL_ERROR; otherwise {@code e} itself.
     */
    Http2Exception.StreamException correct(Http2Exception.StreamException e) {
        if (e.streamId() != halfClosedHeaders || e.error() != Http2Error.PROTOCOL_ERROR) {
            return e;
        }
        halfClosedHeaders = 0;
        return (Http2Exception.StreamException) Http2Exception.streamError(e.streamId(), Http2Error.STREAM_CLOSED,
                "HEADERS on half-closed (remote) stream %d (RFC 9113 §5.1)", e.streamId());
    }

    private void decodeBefore(ChannelHandlerContext ctx, ByteBuf in, int pos, List<Object> out) throws Http2Exception {
        int n = pos - in.readerIndex();
        if (n <= 0) {
            return;
        }
        ByteBuf head = in.slice(in.readerIndex(), n);
        try {
            super.decodeFrame(ctx, head, out);
        } finally {
            in.skipBytes(head.readerIndex());
        }
    }

    private void check(int streamId) throws Http2Exception {
        Http2Stream stream = connection().stream(streamId);
        if (stream != null) {
            if (stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE && !stream.isResetSent()) {
                halfClosedHeaders = streamId; // the stream error comes once the block is decoded (HPACK state)
            }
            return;
        }
        switch (history.fate(streamId)) {
            case NEVER_OPENED -> throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                    "HEADERS opens stream %d, lower than stream %d already opened (RFC 9113 §5.1.1)", streamId,
                    connection().remote().lastStreamCreated());
            case OPEN_OR_CLOSED -> throw Http2Exception.connectionError(Http2Error.STREAM_CLOSED,
                    "HEADERS on closed stream %d (RFC 9113 §5.1)", streamId);
            default -> { } // reset by us or too old to know: Netty's stream error STREAM_CLOSED
        }
    }
}
