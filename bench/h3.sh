#!/usr/bin/env bash
# HTTP/3 -> HTTP/1.1 pool through Outrigger and Caddy (Debian's caddy 2.6: the packaged HTTP/3 reverse proxy; HAProxy
# 2.6 and nginx 1.22 in Debian have no QUIC), same run, the harness's layout: proxies and origins on CPU 0, the load on
# CPU 1. The load is bench/h3load (Netty's HTTP/3 codec; Debian's h2load has no QUIC), closed loop, C connections x M
# streams. First its own ceiling: h3load against Caddy's static responder (no upstream) and ours' direct_response.
# Prints req/s, proxy CPU us/req and p99 per round (A B A B). Netty's client sends no SNI for a dotless name such as
# localhost, so Caddy gets default_sni.
# Needs: the harness origins up (HARNESS/run.sh --start-only, HARNESS a copy of ../shared/bench), a build
# (mvn -B package -DskipTests), caddy, taskset.
# usage: bench/h3.sh [ROUNDS] [SECONDS] [CONNECTIONS] [STREAMS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUNDS=${1:-2}; SECS=${2:-15}; C=${3:-10}; M=${4:-10}
SUT_CPU=${SUT_CPU:-0}; LG_CPU=${LG_CPU:-1}
command -v caddy >/dev/null || { echo "caddy not found: apt-get install caddy" >&2; exit 2; }
(exec 3<>/dev/tcp/127.0.0.1/19081) 2>/dev/null || { echo "origins not up: HARNESS/run.sh --start-only" >&2; exit 2; }
[ -f bench/h3load/target/h3load.jar ] || mvn -B -q -f bench/h3load/pom.xml package
W=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
OURS_THREADS=1 taskset -c "$SUT_CPU" bench/ours.sh > "$W/ours.log" 2>&1 &
CERTS=${BENCH_CERTS:-$PWD/bench/target/certs}
for _ in $(seq 100); do [ -f "$CERTS/localhost.key" ] && break; sleep 0.2; done
cat > "$W/Caddyfile" <<CFG
{
	admin off
	auto_https off
	default_sni localhost
	servers {
		protocols h1 h2 h3
	}
}
https://localhost:58443 {
	tls $CERTS/localhost.crt $CERTS/localhost.key
	reverse_proxy 127.0.0.1:19081 127.0.0.1:19082 127.0.0.1:19083 {
		lb_policy round_robin
	}
}
https://localhost:58444 {
	tls $CERTS/localhost.crt $CERTS/localhost.key
	respond "hello" 200
}
CFG
XDG_DATA_HOME="$W" XDG_CONFIG_HOME="$W" GOMAXPROCS=1 taskset -c "$SUT_CPU" caddy run --config "$W/Caddyfile" --adapter caddyfile > "$W/caddy.log" 2>&1 &
wait_listening 150 48443 58443
pid_of() { ss -ltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
load() { taskset -c "$LG_CPU" java -XX:+UseSerialGC -jar bench/h3load/target/h3load.jar -c "$C" -m "$M" -D "$2" -w 2 "$1"; }
run() { # name port path; proxy CPU counted over the measured seconds only (after h3load's 2 s warm-up)
  local pid t0 t1 out rps ok p99
  pid=$(pid_of "$2")
  load "https://localhost:$2$3" "$SECS" > "$W/load.out" &
  local lp=$!
  sleep 2
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  wait $lp
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  out=$(cat "$W/load.out")
  rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
  ok=$(echo "$out" | sed -n 's/.* \([0-9]*\) succeeded.*/\1/p')
  p99=$(echo "$out" | sed -n 's/.* p99 \([0-9]*\),.*/\1/p')
  failed=$(echo "$out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  python3 -c "print('%-12s %9.0f req/s  failed %s  p99 %6.2f ms  proxy %.1f us/req' % ('$1', $ok/$SECS, '$failed', $p99/1000, ($t1-$t0)/$(getconf CLK_TCK)*1e6/$ok))"
}
echo "load generator ceiling (no upstream): caddy respond"
run caddy-static 58444 /
echo "warm-up (JIT) ..."; load "https://localhost:48443/hello" 10 >/dev/null; load "https://localhost:58443/hello" 5 >/dev/null
echo "HTTP/3 -> HTTP/1.1 origins (GET /hello, ${C}x${M}, ${SECS}s):"
for r in $(seq "$ROUNDS"); do run ours 48443 /hello; run caddy 58443 /hello; done
