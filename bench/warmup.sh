#!/usr/bin/env bash
# Warm-up after start: a fresh Outrigger (bench/ours.sh, pinned to CPU 0) under HTTP/1.1 load (wrk on CPU 1) in
# consecutive windows; per window: req/s, wrk's p99, the process's CPU us/request, and the share of it the JIT compiler
# threads took (threads that exited during a window drop out of it). Shows how long a new process runs at more than its steady-state cost (the JIT compiling the request path).
# Needs: the harness origins on 19081-19083 (HARNESS/run.sh --start-only), wrk, taskset.
# usage: bench/warmup.sh [WINDOWS] [SECONDS] [URL]   (JAVA_OPTS as bench/ours.sh takes it, to try JIT flags)
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOWS=${1:-8}; SECS=${2:-5}; URL=${3:-http://127.0.0.1:48080/hello}
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$W"' EXIT
PORT=${URL#*//*:}; PORT=${PORT%%/*}
if ss -ltn "sport = :$PORT" | grep -q LISTEN; then echo "port $PORT is taken (a proxy still draining?)" >&2; exit 1; fi
taskset -c 0 bench/ours.sh > "$W/ours.log" 2>&1 &
for _ in $(seq 150); do curl -s -o /dev/null "$URL" && break; sleep 0.1; done
PID=$(ss -ltnp "sport = :$PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
jit() { # CPU ticks of the compiler threads
  local t=0
  for d in /proc/"$PID"/task/*; do
    case "$(cat "$d/comm")" in C1*|C2*) t=$((t + $(awk '{print $14 + $15}' "$d/stat")));; esac
  done
  echo "$t"
}
printf '%-8s %10s %10s %14s %12s\n' window req/s p99 "CPU us/req" "JIT share"
for w in $(seq "$WINDOWS"); do
  c0=$(cpu); j0=$(jit)
  out=$(taskset -c 1 wrk -t1 -c50 -d"${SECS}s" --latency "$URL")
  n=$(echo "$out" | awk '/requests in/{print $1}'); p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  c1=$(cpu); j1=$(jit)
  python3 -c "n=max($n,1); c=$c1-$c0; print('%-8s %10.0f %10s %14.1f %11.0f%%' % ('$((w * SECS))s', n/$SECS, '$p99', c/$HZ*1e6/n, max(0, 100*($j1-$j0)/max(c,1))))"
done
