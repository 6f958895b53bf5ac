#!/usr/bin/env bash
# TLS cost of Outrigger with each provider (BoringSSL via netty-tcnative, and the JDK):
#  - handshakes/s and server CPU per handshake: wrk -H "Connection: close" (a new TLS connection per request)
#  - HTTPS throughput over kept-alive HTTP/2: h2load -c 10 -m 10
# Outrigger runs with one event loop pinned to CPU $SUT_CPU, the clients on CPU $LG_CPU, on loopback.
# Requests go through the proxy to its own admin server, so no other origin is needed.
# Optional peers already listening with TLS (e.g. HAProxy and nginx from a benchmark harness):
#   PEERS="haproxy:28443:PID nginx:38443:PID,PID" bench/tls.sh
# Needs: a built jar (mvn -B package -DskipTests), wrk, h2load, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=proxy/target/outrigger.jar
OUT=bench/target/tls
SUT_CPU="${SUT_CPU:-0}"; LG_CPU="${LG_CPU:-1}"; PORT="${PORT:-48643}"; SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
[ -f "$JAR" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 2; }
for t in wrk h2load taskset; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y wrk nghttp2-client util-linux)" >&2; exit 2; }; done
rm -rf "$OUT"; mkdir -p "$OUT"
java -jar "$JAR" certs ca --dir "$OUT/certs" >/dev/null
java -jar "$JAR" certs issue --dir "$OUT/certs" --dns localhost --ip 127.0.0.1 >/dev/null
cat > "$OUT/outrigger.yaml" <<YAML
admin: { address: 127.0.0.1:$((PORT + 1)) }
listeners:
  - name: tls
    address: 127.0.0.1:$PORT
    tls: { certificates: [ { certificate_chain: $OUT/certs/localhost.crt, private_key: $OUT/certs/localhost.key } ] }
    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: admin } } ] } ]
clusters:
  - { name: admin, endpoints: [ 127.0.0.1:$((PORT + 1)) ] }
YAML

tick=$(getconf CLK_TCK)
cpu_ticks() { local s=0 f; for p in "$@"; do for t in /proc/$p/task/*/stat; do f=($(sed 's/^.*) //' "$t")); s=$((s + f[11] + f[12])); done; done; echo $s; }

measure() { # NAME PORT PATH PIDS...
  local name=$1 port=$2 path=$3; shift 3
  local c0 c1 out n rps h2
  c0=$(cpu_ticks "$@")
  out=$(taskset -c "$LG_CPU" wrk -t1 -c50 -d"${SECONDS_PER_RUN}"s -H "Connection: close" "https://127.0.0.1:$port$path" 2>&1)
  c1=$(cpu_ticks "$@")
  n=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  h2=$(taskset -c "$LG_CPU" h2load -D "$SECONDS_PER_RUN" -c 10 -m 10 "https://127.0.0.1:$port$path" 2>&1 | awk '/finished in/ {print $4}')
  printf '| %-16s | %10s | %12d | %12s |\n' "$name" "$rps" $(( (c1 - c0) * 1000000 / tick / n )) "$h2"
}

echo "| target           | handshakes/s | CPU us/handshake | h2 req/s (TLS) |"
echo "|---|---:|---:|---:|"
for provider in openssl jdk; do
  env OUTRIGGER_ACCESS_LOG_LEVEL=OFF taskset -c "$SUT_CPU" java -Doutrigger.tls.provider=$provider -XX:+UseSerialGC \
      -Xms64m -Xmx128m -jar "$JAR" run -c "$OUT/outrigger.yaml" --concurrency 1 > "$OUT/outrigger-$provider.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$((PORT + 1))/ready" && break; sleep 0.1; done
  # JIT warm-up, unmeasured
  taskset -c "$LG_CPU" wrk -t1 -c50 -d20s -H "Connection: close" "https://127.0.0.1:$PORT/ready" >/dev/null 2>&1 || true
  taskset -c "$LG_CPU" h2load -D 5 -c 10 -m 10 "https://127.0.0.1:$PORT/ready" >/dev/null 2>&1 || true
  measure "outrigger-$provider" "$PORT" /ready "$pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
for peer in ${PEERS:-}; do
  IFS=: read -r name port pids <<<"$peer"
  measure "$name" "$port" "${PEER_PATH:-/hello}" ${pids//,/ }
done
