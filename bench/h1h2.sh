#!/usr/bin/env bash
# HTTP/1.1 callers multiplexed onto HTTP/2 upstream connections, Outrigger beside HAProxy, same run, same pinning as
# the shared harness: proxies and the origin (the harness's nginx h2c listener, 19084) on CPU 0, wrk on CPU 1.
# Outrigger's listener h1_to_h2 (48082, bench/outrigger.yaml) and an HAProxy started here (28092: HTTP/1.1 in,
# "proto h2" to the same origin) take the same load. Prints req/s, p99 and proxy CPU us/req per round (A B A B).
# Start the harness origins first (HARNESS/run.sh --start-only). Needs: a build, haproxy, wrk, taskset, python3.
# usage: bench/h1h2.sh [ROUNDS] [SECONDS]   (WARM: seconds of load before measuring, default 90)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUNDS=${1:-2}; SECS=${2:-10}
SUT_CPU=${SUT_CPU:-0}; LG_CPU=${LG_CPU:-1}
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
(exec 3<>/dev/tcp/127.0.0.1/19084) 2>/dev/null || { echo "no h2c origin on 19084: start the harness origins first" >&2; exit 1; }
OURS_THREADS=1 taskset -c "$SUT_CPU" bench/ours.sh > "$W/ours.log" 2>&1 &
cat > "$W/haproxy.cfg" <<CFG
global
    nbthread 1
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend h1
    bind 127.0.0.1:28092
    default_backend origin
backend origin
    http-reuse always
    server o1 127.0.0.1:19084 proto h2
CFG
taskset -c "$SUT_CPU" haproxy -f "$W/haproxy.cfg" -db > "$W/haproxy.log" 2>&1 &
wait_listening 100 48082 28092
pid_of() { ss -ltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
load() { taskset -c "$LG_CPU" wrk -t1 -c50 -d"$2"s --latency "http://127.0.0.1:$1/hello"; }
run() { # name port
  local pid t0 t1 out
  pid=$(pid_of "$2"); t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  out=$(load "$2" "$SECS")
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local n p99 errors
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  python3 -c "print('%-8s %8.0f req/s  p99 %-8s proxy %.1f us/req %s' % ('$1', $n / $SECS, '$p99', ($t1-$t0)/$(getconf CLK_TCK)*1e6/$n, '$errors'))"
}
WARM=${WARM:-90} # the JIT settles after ~90 s of load (bench/warmup.sh)
# As the rounds run: 10 s loads on new connections with idle gaps between them. After one long load, the first
# round's reconnects hit branches C2 compiled as never taken: ~100-140 methods deoptimised at once, ~1 s of
# recompilation on the shared core in the next 10 s, and that round's p99 2.5x the settled one. (The gaps also used
# to outlast the pool's idle timeout, 4 s then, and reopen the upstream HTTP/2 connection; HTTP/2's is 1 h now.)
echo "warm-up ${WARM}s (JIT) ..."
for _ in $(seq 1 $((WARM / 10))); do load 48082 10 >/dev/null; sleep 5; done; load 28092 3 >/dev/null
for r in $(seq "$ROUNDS"); do run ours 48082; run haproxy 28092; done
