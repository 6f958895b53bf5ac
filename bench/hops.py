#!/usr/bin/python3
"""Per-request hop times of an HTTP/1.1 -> HTTP/2 proxy, from a loopback packet capture (bench/hops.sh makes one).

  hops.py CAPTURE.pcap FRONT_PORT ORIGIN_PORT

Each request carries a unique path (/hello?r=N, from wrk's Lua hook). For every request seen whole, four wire
timestamps (tcpdump's, at the sender's transmit): the HTTP/1.1 request in on FRONT_PORT, the HTTP/2 HEADERS frame with
the same :path out to ORIGIN_PORT, the origin's END_STREAM frame back, and the first HTTP/1.1 response packet out on
the request's connection. Prints percentiles (ms) of the whole and of its three hops — the proxy's request half,
the origin (kernel and origin process), the proxy's response half — and how the slowest 1 % cluster in time (all
in-flight requests slow together in a few 5 ms windows: a stall; spread out: queueing).

Needs Debian's python3-hpack (Huffman decoding of :path; run with /usr/bin/python3). Requests of the capture's first
and last 150 ms are left out (tcpdump starting and stopping disturbs them). The HTTP/2 byte stream is picked up at
the first packet that holds whole frames, so a capture may begin mid-connection; header blocks are walked for :path
(a literal with the static table's name index 4, as Netty and HAProxy encode a new path) without the dynamic table.
"""
import collections
import re
import struct
import sys

from hpack.huffman_table import decode_huffman


def read_pcap(path):
    """{(src_port, dst_port): [(time_s, tcp_seq, payload)]} of the TCP segments with payload (IPv4, Ethernet or raw)."""
    flows = collections.defaultdict(list)
    with open(path, 'rb') as f:
        header = f.read(24)
        nanos = struct.unpack('<I', header[:4])[0] == 0xa1b23c4d
        linktype = struct.unpack('<I', header[20:24])[0]
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            sec, frac, incl, _ = struct.unpack('<IIII', record)
            data = f.read(incl)
            t = sec + frac / (1e9 if nanos else 1e6)
            if linktype == 1:
                if struct.unpack('>H', data[12:14])[0] != 0x0800:
                    continue
                data = data[14:]
            if data[9] != 6:
                continue
            tcp = data[(data[0] & 15) * 4:]
            sport, dport, seq = struct.unpack('>HHI', tcp[:8])
            payload = tcp[(tcp[12] >> 4) * 4:]
            if payload:
                flows[(sport, dport)].append((t, seq, payload))
    return flows


def whole_frames(payload):
    """Whether a segment holds whole HTTP/2 frames only (where a mid-connection capture can start parsing)."""
    p = 0
    while p + 9 <= len(payload):
        if payload[p + 3] > 9:
            return False
        p += 9 + int.from_bytes(payload[p:p + 3], 'big')
    return p == len(payload)


def frames(segments):
    """[(time_s, type, flags, stream_id, payload)] of one direction; a frame's time is its last byte's segment's."""
    start = 0
    while start < len(segments) and not (segments[start][2].startswith(b'PRI * HTTP/2.0')
                                         or whole_frames(segments[start][2])):
        start += 1
    parts, ends, seen, total = [], [], set(), 0
    for t, seq, payload in segments[start:]:
        if seq in seen:  # a retransmission
            continue
        seen.add(seq)
        parts.append(payload)
        total += len(payload)
        ends.append((total, t))
    buf = b''.join(parts)
    pos = 24 if buf.startswith(b'PRI * HTTP/2.0') else 0
    out, i = [], 0
    while pos + 9 <= len(buf):
        length = int.from_bytes(buf[pos:pos + 3], 'big')
        end = pos + 9 + length
        if end > len(buf):
            break
        while i < len(ends) and ends[i][0] < end:
            i += 1
        sid = int.from_bytes(buf[pos + 5:pos + 9], 'big') & 0x7fffffff
        out.append((ends[min(i, len(ends) - 1)][1], buf[pos + 3], buf[pos + 4], sid, buf[pos + 9:end]))
        pos = end
    return out


def hpack_int(b, i, prefix):
    """RFC 7541 §5.1: (value, next index)."""
    mask = (1 << prefix) - 1
    v = b[i] & mask
    i += 1
    if v < mask:
        return v, i
    shift = 0
    while True:
        c = b[i]
        i += 1
        v += (c & 127) << shift
        shift += 7
        if not c & 128:
            return v, i


def hpack_string(b, i):
    """RFC 7541 §5.2: (bytes, next index)."""
    huffman = b[i] & 128
    n, i = hpack_int(b, i, 7)
    s = b[i:i + n]
    return (decode_huffman(s) if huffman else s), i + n


def path_of(block):
    """The :path of a header block when it is a literal naming static entry 4 (RFC 7541 §6.2), else None."""
    i = 0
    while i < len(block):
        c = block[i]
        if c & 0x80:                       # indexed field
            _, i = hpack_int(block, i, 7)
            continue
        if c & 0xe0 == 0x20:               # dynamic table size update
            _, i = hpack_int(block, i, 5)
            continue
        index, i = hpack_int(block, i, 6 if c & 0x40 else 4)
        if index == 0:
            _, i = hpack_string(block, i)
        value, i = hpack_string(block, i)
        if index == 4:
            return value
    return None


def pct(values):
    v = sorted(values)
    n = len(v)
    return 'p50 %5.2f  p90 %5.2f  p99 %5.2f  p99.9 %5.2f  max %5.2f ms' % tuple(
        x * 1e3 for x in (v[n // 2], v[int(n * .9)], v[int(n * .99)], v[int(n * .999)], v[-1]))


def main(path, front, origin):
    flows = read_pcap(path)
    t_in, t_out = {}, {}
    for (sport, dport), segments in flows.items():
        if dport != front:
            continue
        responses, j = flows.get((front, sport), []), 0
        for t, _, payload in segments:
            m = re.search(rb'GET /hello\?r=(\d+)', payload)
            if not m:
                continue
            r = int(m.group(1))
            t_in[r] = t
            while j < len(responses) and responses[j][0] < t:
                j += 1
            if j < len(responses):
                t_out[r] = responses[j][0]
    t_up, t_end = {}, {}
    for (sport, dport), segments in flows.items():
        if dport != origin:
            continue
        by_stream = {}
        for t, ftype, flags, sid, payload in frames(segments):
            if ftype != 1:
                continue
            if flags & 0x8:
                payload = payload[1:len(payload) - payload[0]]
            if flags & 0x20:
                payload = payload[5:]
            try:
                p = path_of(payload)
            except IndexError:  # a header block continued in CONTINUATION frames: not these requests
                p = None
            m = p and re.search(rb'r=(\d+)', p)
            if m:
                by_stream[sid] = int(m.group(1))
                t_up[int(m.group(1))] = t
        for t, ftype, flags, sid, _ in frames(flows.get((origin, sport), [])):
            if flags & 1 and ftype in (0, 1) and sid in by_stream:
                t_end[by_stream[sid]] = t
    if not t_in:
        sys.exit('no request with a /hello?r=N path on port %d' % front)
    first, last = min(t_in.values()) + 0.15, max(t_in.values()) - 0.15
    rs = [r for r in t_in if r in t_out and r in t_up and r in t_end and first <= t_in[r] <= last]
    if not rs:
        sys.exit('no request matched on both sides')
    print('requests matched: %d of %d' % (len(rs), len(t_in)))
    print('whole          ', pct([t_out[r] - t_in[r] for r in rs]))
    print('request half   ', pct([t_up[r] - t_in[r] for r in rs]))
    print('origin         ', pct([t_end[r] - t_up[r] for r in rs]))
    print('response half  ', pct([t_out[r] - t_end[r] for r in rs]))
    slow = sorted(rs, key=lambda r: t_out[r] - t_in[r])[-max(1, len(rs) // 100):]
    windows = collections.Counter(int((t_in[r] - first) * 200) for r in slow)
    print('slowest 1 %%: hops %.2f / %.2f / %.2f ms on average; in %d of %d 5-ms windows (most: %s)' % (
        sum(t_up[r] - t_in[r] for r in slow) / len(slow) * 1e3, sum(t_end[r] - t_up[r] for r in slow) / len(slow) * 1e3,
        sum(t_out[r] - t_end[r] for r in slow) / len(slow) * 1e3, len(windows), int((last - first) * 200) + 1,
        ', '.join('%d' % c for _, c in windows.most_common(5))))


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
