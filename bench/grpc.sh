#!/usr/bin/env bash
# gRPC unary through Outrigger and HAProxy, same run, same pinning as the shared harness: the proxies and the
# origin (grpc-java's server, SimpleService from grpc-testing-proto) on CPU 0, h2load on CPU 1. Each proxy takes
# h2c from h2load and speaks HTTP/2 to the origin. Prints req/s and proxy CPU us/req per round (A B A B).
# Needs: a build (mvn -B verify, or install + integration-tests test-compile), haproxy, h2load, taskset.
# usage: bench/grpc.sh [ROUNDS] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; N=${2:-200000}
SUT_CPU=${SUT_CPU:-0}; LG_CPU=${LG_CPU:-1}
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
(cd integration-tests && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$W/cp" -Dmdep.includeScope=test >/dev/null)
taskset -c "$SUT_CPU" java -cp "integration-tests/target/test-classes:$(cat "$W/cp")" io.outrigger.it.GrpcOrigin 19090 > "$W/origin.log" 2>&1 &
OURS_THREADS=1 taskset -c "$SUT_CPU" bench/ours.sh > "$W/ours.log" 2>&1 &
cat > "$W/haproxy.cfg" <<CFG
global
    nbthread 1
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend grpc
    bind 127.0.0.1:28090 proto h2
    default_backend origin
backend origin
    server o1 127.0.0.1:19090 proto h2
CFG
taskset -c "$SUT_CPU" haproxy -f "$W/haproxy.cfg" -db > "$W/haproxy.log" 2>&1 &
# the request: a gRPC frame (not compressed, 7 bytes) holding SimpleRequest { request_message: "hello" }
printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$W/req.bin"
for port in 19090 48090 28090; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done
pid_of() { ss -ltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
load() { taskset -c "$LG_CPU" h2load -n "$2" -c 10 -m 10 -d "$W/req.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  "http://127.0.0.1:$1/grpc.testing.SimpleService/UnaryRpc"; }
run() { # name port
  local pid t0 t1 out
  pid=$(pid_of "$2"); t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  out=$(load "$2" "$N")
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local rps ok
  rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
  ok=$(echo "$out" | sed -n 's/.* \([0-9]*\) succeeded.*/\1/p')
  python3 -c "print('%-8s %10s req/s  %6s ok  proxy %.1f us/req' % ('$1', '$rps', '$ok', ($t1-$t0)/$(getconf CLK_TCK)*1e6/$N))"
}
echo "warm-up (JIT) ..."; load 48090 100000 >/dev/null; load 28090 20000 >/dev/null
for r in $(seq "$ROUNDS"); do run ours 48090; run haproxy 28090; done
