#!/usr/bin/env bash
# Where a request's time goes on an HTTP/1.1 -> HTTP/2 path: wrk (one thread, 50 connections, each request with its own
# path /hello?r=N) loads FRONT_PORT for SECONDS+8 s; 3 s in, tcpdump captures SECONDS s of loopback traffic on the
# front and origin ports; bench/hops.py prints the hop times of every request seen whole. Run it against a warm
# proxy: e.g. the listener h1_to_h2 of bench/ours.sh (48082) or bench/h1h2.sh's HAProxy (28092), origin 19084.
# Needs: root (tcpdump), wrk, taskset, Debian's tcpdump and python3-hpack.
# usage: bench/hops.sh FRONT_PORT [ORIGIN_PORT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
FRONT=$1; ORIGIN=${2:-19084}; SECS=${3:-3}; LG_CPU=${LG_CPU:-1}
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
cat > "$W/ids.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/hello?r=" .. n)
end
LUA
taskset -c "$LG_CPU" wrk -t1 -c50 -d"$((SECS + 8))"s --latency -s "$W/ids.lua" "http://127.0.0.1:$FRONT/hello" > "$W/wrk.txt" &
sleep 3
timeout "$SECS" taskset -c "$LG_CPU" tcpdump -i lo -s 0 -B 65536 -w "$W/cap.pcap" "tcp port $ORIGIN or tcp port $FRONT" 2>&1 \
  | grep -E 'dropped by kernel' || true
wait
awk '/Requests\/sec/ {r = $2} $1 == "99%" {p = $2} END {printf "wrk, whole run: %.0f req/s, p99 %s\n", r, p}' "$W/wrk.txt"
/usr/bin/python3 bench/hops.py "$W/cap.pcap" "$FRONT" "$ORIGIN"
