#!/usr/bin/env bash
# The cost of the default access log: two Outriggers from bench/outrigger.yaml (bench/ours.sh), one with the access
# log off (as the harness runs it, and its anchors), one with it on (each listener's default: Envoy's text format to
# stdout, here through a pipe into a file), pinned to SUT_CPU; wrk on LG_CPU against the harness's origins
# (../shared/bench/run.sh --start-only first). Prints req/s and proxy CPU us/req per round (off on off on ...).
# Needs: a build (mvn -B install -DskipTests), wrk, taskset.
# usage: bench/accesslog.sh [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; SECONDS_PER_RUN=${2:-10}
SUT_CPU=${SUT_CPU:-0}; LG_CPU=${LG_CPU:-1}
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
sed 's/127\.0\.0\.1:480/127.0.0.1:470/; s/127\.0\.0\.1:484/127.0.0.1:474/; s/127\.0\.0\.1:4809/127.0.0.1:4709/' bench/outrigger.yaml \
  | sed "s|bench/target/certs|$PWD/bench/target/certs|g" > "$W/logging.yaml"
OURS_THREADS=1 taskset -c "$SUT_CPU" bench/ours.sh > "$W/off.log" 2>&1 &
OUTRIGGER_ACCESS_LOG_LEVEL=INFO OURS_THREADS=1 OURS_CONFIG="$W/logging.yaml" taskset -c "$SUT_CPU" bench/ours.sh 2>&1 | cat > "$W/on.log" &
for port in 48099 47099; do
  for _ in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/ready" && break; sleep 0.2; done
done
pid_of() { ss -ltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
run() { # name port seconds
  local pid t0 t1 out rps n
  pid=$(pid_of "$2"); t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  out=$(taskset -c "$LG_CPU" wrk -t1 -c50 -d"$3"s "http://127.0.0.1:$2/hello")
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  python3 -c "print('%-12s %10s req/s  proxy %.1f us/req' % ('$1', '$rps', ($t1-$t0)/$(getconf CLK_TCK)*1e6/$n))"
}
echo "warm-up (JIT) ..."; run off 48080 20 >/dev/null; run on 47080 20 >/dev/null
for r in $(seq "$ROUNDS"); do run "log off" 48080 "$SECONDS_PER_RUN"; run "log on" 47080 "$SECONDS_PER_RUN"; done
echo "access log lines written: $(grep -c '"GET /hello' "$W/on.log")"
