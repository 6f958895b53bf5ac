#!/usr/bin/env bash
# Tracing overhead, one harness run: Outrigger with tracing off and with sampling 0%, 1% and 100%, next to
# HAProxy, on the harness's origins. Each Outrigger runs with bench/ours.sh's JVM flags, one worker, pinned
# to SUT_CPU like the harness pins its anchors; spans go to the `log` exporter (OTLP JSON) writing to
# /dev/null, so the cost measured is span creation, propagation, batching and serialisation, without a
# network backend. EXPORTER='zipkin: { endpoint: "http://127.0.0.1:9411/api/v2/spans" }' sends them to a
# Zipkin instead.
#   bench/tracing.sh HARNESS_DIR [extra run.sh options]      e.g. bench/tracing.sh /tmp/bench --rounds 2
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS="${1:?usage: bench/tracing.sh HARNESS_DIR [run.sh options]}"; shift
JAR=proxy/target/outrigger.jar
[ -f "$JAR" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 2; }
SUT_CPU="${SUT_CPU:-0}"
EXPORTER="${EXPORTER:-log: { path: /dev/null }}"
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx64m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=40m -Xss256k -XX:CICompilerCount=2 -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1}"
export MALLOC_ARENA_MAX=2 OUTRIGGER_ACCESS_LOG_LEVEL=OFF
dir=bench/target/tracing
mkdir -p "$dir"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
targets=()
i=1
for variant in off:- t0:0.0 t1:0.01 t100:1.0; do
  name=${variant%%:*}; sampling=${variant#*:}
  port=$((48080 + 100 * i)); admin=$((48099 + 100 * i))
  {
    echo "admin: { address: 127.0.0.1:$admin }"
    echo "listeners:"
    echo "  - { name: plain, address: 127.0.0.1:$port, virtual_hosts: [ { name: all, domains: [\"*\"], routes: [ { match: { prefix: / }, route: { cluster: origins } } ] } ] }"
    echo "clusters:"
    echo "  - { name: origins, endpoints: [ 127.0.0.1:19081, 127.0.0.1:19082, 127.0.0.1:19083 ] }"
    [ "$sampling" = "-" ] || echo "tracing: { sampling: $sampling, exporter: { $EXPORTER } }"
  } > "$dir/$name.yaml"
  # shellcheck disable=SC2086
  taskset -c "$SUT_CPU" java $JAVA_OPTS -jar "$JAR" run -c "$dir/$name.yaml" --concurrency 1 > "$dir/$name.log" 2>&1 &
  pids+=($!)
  targets+=("$name:$port:$port")
  i=$((i + 1))
done
for t in "${targets[@]}"; do
  port=$(echo "$t" | cut -d: -f2)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done
"$HARNESS/run.sh" --protos "${PROTOS:-h1,h2c}" --prewarm "${PREWARM:-15}" --ref haproxy "$@" haproxy "${targets[@]}"
echo
echo "spans per instance, from /stats/prometheus:"
i=1
for t in "${targets[@]}"; do
  admin=$((48099 + 100 * i))
  printf '%-5s ' "${t%%:*}"
  curl -s "http://127.0.0.1:$admin/stats/prometheus" | grep -E '^outrigger_tracing_spans_(sent|failed|dropped)_total' \
    | sed 's/^outrigger_tracing_spans_//; s/_total / /' | awk '{printf "%s %s  ", $1, $2}'
  echo
  i=$((i + 1))
done
