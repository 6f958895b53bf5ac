#!/usr/bin/env python3
"""Resource figures for a proxy under test (Outrigger, HAProxy, nginx: any HTTP/1.1 + h2c listener on loopback).

  idle HOST:PORT PID N h1|h2     open N connections, one request each, keep them idle; RSS of PID before/after
  slowloris HOST:PORT N SECONDS  N connections trickling header bytes (reopened when closed) while a keep-alive
                                 client measures latency (p50/p99) of normal requests; also measures it without
  soak HOST:PORT PID ADMIN SECONDS CLIENTS   steady load from CLIENTS keep-alive connections; RSS and allocated
                                 bytes (Outrigger's /stats server.allocated_bytes, ADMIN host:port or -) every 30 s

Standard library only (asyncio); the HTTP/2 request is pre-encoded (static HPACK indexes).
"""
import asyncio, socket, sys, time, statistics, urllib.request

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

H1_REQ = b"GET /idle HTTP/1.1\r\nHost: bench\r\n\r\n"
# preface, empty SETTINGS, HEADERS(stream 1, END_STREAM|END_HEADERS): :method GET (0x82), :scheme http (0x86),
# :path / (0x84), :authority "bench" (literal, indexed name 1)
_HBLOCK = bytes([0x82, 0x86, 0x84, 0x41, 5]) + b"bench"
H2_REQ = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
          + len(_HBLOCK).to_bytes(3, "big") + bytes([1, 5, 0, 0, 0, 1]) + _HBLOCK)

def read_response(s, buf):
    """Reads one Content-Length-framed response from socket s; returns what followed it (the next buffer)."""
    while True:
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if sep:
            cl = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            n = int(cl[0].split(b":")[1]) if cl else 0
            if len(rest) >= n:
                return rest[n:]
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("the proxy closed the keep-alive connection (a keepalive_requests limit?)")
        buf += chunk

async def open_idle(host, port, req):
    r, w = await asyncio.open_connection(host, port)
    w.write(req)
    await w.drain()
    await r.read(1)  # the answer started: the connection is established at the proxy and has served a request
    return r, w

async def idle(host, port, pid, n, proto):
    req = H2_REQ if proto == "h2" else H1_REQ
    before = rss_kib(pid)
    conns = []
    for i in range(0, n, 500):
        conns += await asyncio.gather(*[open_idle(host, port, req) for _ in range(min(500, n - i))])
    await asyncio.sleep(3)
    after = rss_kib(pid)
    print(f"idle {proto}: {n} connections: RSS {before // 1024} -> {after // 1024} MiB, "
          f"{(after - before) / n:.1f} KiB per connection")
    for r, w in conns:
        w.close()

async def loris(host, port, stop):
    while time.time() < stop:
        try:
            r, w = await asyncio.open_connection(host, port)
            w.write(b"GET / HTTP/1.1\r\nHost: bench\r\n")
            while time.time() < stop:
                w.write(b"X-a: b\r\n")
                await w.drain()
                await asyncio.sleep(1)
                if r.at_eof():
                    break
            w.close()
        except (ConnectionError, OSError):
            await asyncio.sleep(0.1)

def latencies(host, port, seconds):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out, end = [], time.time() + seconds
    buf = b""
    while time.time() < end:
        t = time.perf_counter()
        s.sendall(b"GET /lat HTTP/1.1\r\nHost: bench\r\n\r\n")
        buf = read_response(s, buf)
        out.append((time.perf_counter() - t) * 1000)
    s.close()
    q = statistics.quantiles(out, n=100)
    return len(out), q[49], q[98]

async def slowloris(host, port, n, seconds):
    loop = asyncio.get_running_loop()
    k, p50, p99 = await loop.run_in_executor(None, latencies, host, port, 10)
    print(f"normal client alone: {k} requests, p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    stop = time.time() + seconds
    tasks = [asyncio.create_task(loris(host, port, stop)) for _ in range(n)]
    await asyncio.sleep(3)
    k, p50, p99 = await loop.run_in_executor(None, latencies, host, port, seconds - 5)
    print(f"normal client with {n} slowloris connections: {k} requests, p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    await asyncio.gather(*tasks)

def soak(host, port, pid, admin, seconds, clients):
    import threading
    done = [0]
    stop = time.time() + seconds
    def client():
        s = socket.create_connection((host, port))
        buf = b""
        while time.time() < stop:
            s.sendall(b"GET /soak HTTP/1.1\r\nHost: bench\r\n\r\n")
            buf = read_response(s, buf)
            done[0] += 1
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    def allocated():
        if admin == "-":
            return 0
        for line in urllib.request.urlopen(f"http://{admin}/stats").read().decode().splitlines():
            if line.startswith("server.allocated_bytes:"):
                return int(line.split(":")[1])
        return 0
    t0, d0, a0 = time.time(), done[0], allocated()
    print("minute  req/s  RSS_MiB  alloc_MiB/s  alloc_B/req")
    while time.time() < stop:
        time.sleep(30)
        t1, d1, a1 = time.time(), done[0], allocated()
        rate = (d1 - d0) / (t1 - t0)
        print(f"{(t1 - (stop - seconds)) / 60:6.1f}  {rate:6.0f}  {rss_kib(pid) / 1024:7.1f}  "
              f"{(a1 - a0) / (t1 - t0) / 2**20:11.1f}  {(a1 - a0) / max(1, d1 - d0):11.0f}", flush=True)
        t0, d0, a0 = t1, d1, a1
    for t in threads:
        t.join()

if __name__ == "__main__":
    cmd, hp = sys.argv[1], sys.argv[2]
    host, port = hp.rsplit(":", 1)
    port = int(port)
    if cmd == "idle":
        asyncio.run(idle(host, port, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
    elif cmd == "slowloris":
        asyncio.run(slowloris(host, port, int(sys.argv[3]), int(sys.argv[4])))
    elif cmd == "soak":
        soak(host, port, int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
