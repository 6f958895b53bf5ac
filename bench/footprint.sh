#!/usr/bin/env bash
# Footprint and per-request cost of Outrigger as bench/ours.sh starts it, against the harness origins (start them
# first: HARNESS/run.sh --start-only). Prints RSS after start (10 s idle), then per protocol after a warm-up: req/s,
# proxy CPU µs per request, bytes allocated per request (admin /server_info allocated_bytes: every thread of the
# JVM), and RSS; then the peak RSS (VmHWM) and RSS 10 s after the load.
#   bench/footprint.sh [SECONDS]        (JAVA_OPTS, MALLOC_ARENA_MAX, OURS_JAR as for bench/ours.sh)
# Proxy pinned to CPU 0, load generators (wrk, h2load) to CPU 1. Needs: wrk, h2load, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
ADMIN=127.0.0.1:48099
taskset -c 0 bench/ours.sh > bench/target/footprint-proxy.log 2>&1 &
trap 'kill -9 $(pgrep -f "[.]jar run -c bench/outrigger.yaml") 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://$ADMIN/ready"; do sleep 0.05; done
PID=$(pgrep -f "[.]jar run -c bench/outrigger.yaml")
rss() { awk "/$1/ {print int(\$2 / 1024)}" "/proc/$PID/status"; }
sleep 10
echo "RSS after start: $(rss VmRSS) MiB"
alloc() { curl -s "http://$ADMIN/server_info" | awk '/allocated_bytes/ {print $2}'; }
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
load() { # proto seconds -> requests completed
  if [ "$1" = h1 ]; then
    taskset -c 1 wrk -t1 -c50 -d"$2"s http://127.0.0.1:48080/hello | awk '/requests in/ {print $1}'
  else
    taskset -c 1 h2load -c10 -m10 -t1 -D"$2" http://127.0.0.1:48080/hello | awk '/^requests:/ {print $8}'
  fi
}
for proto in h1 h2c; do
  load "$proto" 20 > /dev/null # JIT warm-up
  a0=$(alloc); c0=$(cpu)
  n=$(load "$proto" "$SECS")
  c1=$(cpu); a1=$(alloc)
  python3 -c "print('%-4s %7.0f req/s  %5.1f us CPU/req  %5.0f B allocated/req' % ('$proto', $n / $SECS, ($c1 - $c0) / $(getconf CLK_TCK) * 1e6 / $n, ($a1 - $a0) / $n))"
done
echo "peak RSS: $(rss VmHWM) MiB"
sleep 10
echo "RSS 10 s after the load: $(rss VmRSS) MiB"
