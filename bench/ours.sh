#!/usr/bin/env bash
# Starts Outrigger as a benchmark harness expects: in the foreground, one worker event loop, the sidecar
# JVM flags from the README, access log off (as the anchors run), listeners from bench/outrigger.yaml.
# The harness pins the process itself. With the shared harness (path given by you, e.g. a copy of
# ../shared/bench):
#   OURS_PORT=48080 OURS_H2C_PORT=48080 OURS_HASH_PORT=48081 OURS_TLS_PORT=48443 \
#   OURS_CMD="$PWD/bench/ours.sh" HARNESS/run.sh --alternate ours,haproxy --prewarm 15
# Environment: JAVA_OPTS replaces the JVM flags; BENCH_CERTS the certificate directory; OURS_CONFIG another config;
# OURS_JAR another build (e.g. OURS_JAR=/tmp/base.jar bench/footprint.sh compares allocation per request);
# OUTRIGGER_ACCESS_LOG_LEVEL=INFO turns the access log on.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR="${OURS_JAR:-proxy/target/outrigger.jar}"
[ -f "$JAR" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 2; }
export BENCH_CERTS="${BENCH_CERTS:-$PWD/bench/target/certs}"
if [ ! -f "$BENCH_CERTS/localhost.crt" ]; then
  java -jar "$JAR" certs ca --dir "$BENCH_CERTS" >/dev/null
  java -jar "$JAR" certs issue --dir "$BENCH_CERTS" --dns localhost --ip 127.0.0.1 >/dev/null
fi
# The sidecar flags (README "JVM flags"): serial GC, a small heap that grows only when needed, bounded
# direct memory / code cache / metaspace, freed native memory trimmed every 2 s (JDK 17.0.9+), one Netty arena,
# few malloc arenas, leak detection off.
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx64m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=40m -Xss256k -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=2000 -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export OUTRIGGER_ACCESS_LOG_LEVEL="${OUTRIGGER_ACCESS_LOG_LEVEL:-OFF}"
# shellcheck disable=SC2086
exec java $JAVA_OPTS -jar "$JAR" run -c "${OURS_CONFIG:-bench/outrigger.yaml}" --concurrency "${OURS_THREADS:-1}"
