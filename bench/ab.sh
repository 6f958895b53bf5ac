#!/usr/bin/env bash
# A/B of proxy CPU per request: two Outriggers up at once on CPU 0 (A on ports 58xxx, B on bench/outrigger.yaml's
# 48xxx), load on CPU 1 alternating between them, so both see the same machine state. Prints req/s and the proxy's
# user, system and total CPU µs per request (/proc/PID/stat) for each round, then the medians and peak RSS.
#   bench/ab.sh MODE ROUNDS SECONDS "JAVA_FLAGS_A" "JAVA_FLAGS_B" [JAR_A] [JAR_B]
#     MODE: h1 (wrk -c32) | h1h2 (wrk -c50, HTTP/1.1 callers onto the HTTP/2 origin) | h2c | h2tls (h2load -c10 -m10)
#           | grpc (h2load, unary gRPC; bench/grpc.sh's origin on 19090); the wrk modes also print wrk's p99 (ms)
#     flags are added to bench/ours.sh's; the jars default to proxy/target/outrigger.jar
#   e.g. bench/ab.sh h2c 8 8 "" "-Dio.netty.recycler.maxCapacityPerThread=4096"
#        bench/ab.sh h1 6 8 "" "" /tmp/base/proxy/target/outrigger.jar      (another build as A)
# Five warm-up loads each first (the JIT; gRPC wants more: raise WARM). Needs wrk, h2load, the harness origins.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=$1; ROUNDS=$2; SECS=$3; FA=$4; FB=$5
JAR_A=${6:-proxy/target/outrigger.jar}; JAR_B=${7:-proxy/target/outrigger.jar}
WARM=${WARM:-5}
DEF="-XX:+UseSerialGC -Xms16m -Xmx64m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=40m -Xss256k -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=2000 -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
mkdir -p bench/target
sed -E 's/127\.0\.0\.1:48([0-9]{3})/127.0.0.1:58\1/g' bench/outrigger.yaml > bench/target/outrigger-ab.yaml
export BENCH_CERTS="${BENCH_CERTS:-$PWD/bench/target/certs}" MALLOC_ARENA_MAX=2 OUTRIGGER_ACCESS_LOG_LEVEL=OFF
start() { # jar config flags log
  taskset -c 0 java $DEF $3 -jar "$1" run -c "$2" --concurrency 1 > "$4" 2>&1 &
  echo $!
}
[ -f "$BENCH_CERTS/localhost.crt" ] || { echo "run bench/ours.sh once first (it makes the certificates)" >&2; exit 2; }
PA=$(start "$JAR_A" bench/target/outrigger-ab.yaml "$FA" bench/target/ab-A.log)
PB=$(start "$JAR_B" bench/outrigger.yaml "$FB" bench/target/ab-B.log)
trap 'kill -9 $PA $PB 2>/dev/null || true' EXIT
for p in 58080 48080; do until curl -sf -o /dev/null "http://127.0.0.1:$p/hello"; do sleep 0.1; done; done
HZ=$(getconf CLK_TCK)
# the wrk modes: HTTP/1.1 to the plain listener (x8080), or to h1_to_h2 (x8082, onto the HTTP/2 origin)
if [ "$MODE" = h1 ]; then WRK_CONNS=32; WRK_PORT=080; else WRK_CONNS=50; WRK_PORT=082; fi
measure() { # pid port-prefix -> "req/s user sys total p99ms" (p99: wrk modes only, else 0)
  local u0 s0 u1 s1 n p99=0 out
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$1/stat")
  case $MODE in
    h1|h1h2) out=$(taskset -c 1 wrk -t1 -c"$WRK_CONNS" -d"${SECS}"s --latency "http://127.0.0.1:${2}${WRK_PORT}/hello")
        n=$(echo "$out" | awk '/requests in/ {print $1}')
        p99=$(echo "$out" | awk '$1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; print v}') ;;
    h2c) n=$(taskset -c 1 h2load -D "$SECS" -c10 -m10 "http://127.0.0.1:${2}080/hello" | awk '/^requests:/ {print $8}') ;;
    h2tls) n=$(taskset -c 1 h2load -D "$SECS" -c10 -m10 "https://127.0.0.1:${2}443/hello" | awk '/^requests:/ {print $8}') ;;
    grpc) n=$(printf '\x00\x00\x00\x00\x07\x0a\x05hello' > bench/target/grpc-req.bin
              taskset -c 1 h2load -D "$SECS" -c10 -m10 -d bench/target/grpc-req.bin -H content-type:application/grpc \
                -H te:trailers "http://127.0.0.1:${2}090/grpc.testing.SimpleService/UnaryRpc" | awk '/^requests:/ {print $8}') ;;
    *) echo "unknown mode $MODE" >&2; exit 2 ;;
  esac
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$1/stat")
  python3 -c "n=$n; hz=$HZ; print('%.0f %.2f %.2f %.2f %.2f' % (n / $SECS, ($u1-$u0)/hz*1e6/n, ($s1-$s0)/hz*1e6/n, ($u1-$u0+$s1-$s0)/hz*1e6/n, $p99))"
}
for _ in $(seq "$WARM"); do measure "$PA" 58 > /dev/null; measure "$PB" 48 > /dev/null; done
OUT=bench/target/ab-rounds.txt; : > "$OUT"
for r in $(seq "$ROUNDS"); do
  for side in A B; do
    if [ $side = A ]; then line=$(measure "$PA" 58); else line=$(measure "$PB" 48); fi
    echo "$side $line" >> "$OUT"
    read -r rps u s t p <<< "$line"
    printf '%s r%-2s %8s req/s  user %5s  sys %5s  total %5s us/req  p99 %s ms\n' $side "$r" "$rps" "$u" "$s" "$t" "$p"
  done
done
python3 - "$OUT" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for side in "AB":
    r = [list(map(float, x[1:])) for x in rows if x[0] == side]
    print("%s median %8.0f req/s  user %5.2f  sys %5.2f  total %5.2f us/req  p99 %5.2f ms" % ((side,) + tuple(statistics.median(c) for c in zip(*r))))
a = [float(x[4]) for x in rows if x[0] == "A"]; b = [float(x[4]) for x in rows if x[0] == "B"]
print("B below A in %d of %d rounds" % (sum(y < x for x, y in zip(a, b)), len(a)))
EOF
for side in A B; do pid=$([ $side = A ] && echo "$PA" || echo "$PB"); echo "$side peak RSS $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status") MiB"; done
