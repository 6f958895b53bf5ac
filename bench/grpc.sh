#!/usr/bin/env bash
# gRPC unary through Outrigger and HAProxy, same run, same pinning as the shared harness: the proxies and the
# origin (grpc-java's server, SimpleService from grpc-testing-proto) on CPU 0, h2load on CPU 1. Each proxy takes
# h2c from h2load and speaks HTTP/2 to the origin. After WARM seconds of load on each proxy, prints req/s and proxy
# CPU us/req (user and system) per round of SECS seconds, alternating (A B A B), both proxies up throughout.
# Needs: a build (mvn -B verify, or install + integration-tests test-compile), haproxy, h2load, taskset.
# usage: bench/grpc.sh [ROUNDS] [SECS] [WARM]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUNDS=${1:-4}; SECS=${2:-8}; WARM=${3:-90}
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
wait_listening 100 19090 48090 28090
pid_of() { ss -ltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
load() { # port seconds
  taskset -c "$LG_CPU" h2load -D "$2" -c 10 -m 10 -d "$W/req.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$1/grpc.testing.SimpleService/UnaryRpc"; }
run() { # name port seconds
  local pid u0 s0 u1 s1 out ok
  pid=$(pid_of "$2")
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(load "$2" "$3")
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  ok=$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p')
  python3 -c "n=max($ok,1); hz=$(getconf CLK_TCK)
print('%-8s %8.0f req/s  proxy CPU %5.1f us/req (user %5.1f, system %4.1f)' % ('$1', n/$3, ($u1-$u0+$s1-$s0)/hz*1e6/n, ($u1-$u0)/hz*1e6/n, ($s1-$s0)/hz*1e6/n))"
}
# Warm-up by time, not by count: Outrigger's JIT needs ~25 s of this load before C2 has compiled the path (first
# 8 s ~65 us/req, next 8 s ~30, then ~12-14); a count-based warm-up measured the compile phase, not the proxy.
# Each Outrigger load is followed by 5 s on HAProxy, as between the rounds, and opens new connections, so the
# reconnect path is compiled before measuring (bench/h1h2.sh says why).
echo "warm-up ${WARM}s (JIT) ..."
for _ in $(seq 1 $((WARM / 10))); do load 48090 10 >/dev/null; load 28090 5 >/dev/null; done
for r in $(seq "$ROUNDS"); do run ours 48090 "$SECS"; run haproxy 28090 "$SECS"; done
