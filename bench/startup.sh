#!/usr/bin/env bash
# Time from process start to /ready (every listener bound), median of 5, without and with an AppCDS archive
# (class-data sharing, JDK 13+: -XX:ArchiveClassesAtExit once, then -XX:SharedArchiveFile).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=proxy/target/outrigger.jar
OUT=bench/target/startup; mkdir -p "$OUT"
cat > "$OUT/startup.yaml" <<YAML
admin: { address: 127.0.0.1:48199 }
listeners:
  - name: l
    address: 127.0.0.1:48180
    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: c } } ] } ]
clusters:
  - { name: c, endpoints: [ 127.0.0.1:9 ] }
YAML
FLAGS="-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=4"
measure() { # extra JVM flags -> ms to /ready
  local start end
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java $FLAGS "$@" -jar "$JAR" run -c "$OUT/startup.yaml" > "$OUT/run.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:48199/ready; do sleep 0.005; done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | sed -n 3p; }
plain=$(for _ in 1 2 3 4 5; do measure; done | median)
rm -f "$OUT/outrigger.jsa"
measure -XX:ArchiveClassesAtExit="$OUT/outrigger.jsa" > /dev/null   # training run writes the archive at exit
cds=$(for _ in 1 2 3 4 5; do measure -XX:SharedArchiveFile="$OUT/outrigger.jsa"; done | median)
echo "start to /ready: ${plain} ms; with AppCDS ($OUT/outrigger.jsa): ${cds} ms"
