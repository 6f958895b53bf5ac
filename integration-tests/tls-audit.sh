#!/usr/bin/env bash
# External TLS audit of an Outrigger TLS listener with testssl.sh (Debian package testssl.sh).
# Too slow for every CI run (about a minute), so it is a script: run it after `mvn -B package`.
#   integration-tests/tls-audit.sh            # --fast, as the anchors were measured
#   integration-tests/tls-audit.sh --full     # every check
# Prints testssl's findings above INFO severity (the self-signed lab certificate's trust warnings aside)
# and leaves the full log and JSON in integration-tests/target/tls-audit/.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=proxy/target/outrigger.jar
OUT=integration-tests/target/tls-audit
PORT="${PORT:-18643}"
[ -f "$JAR" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 2; }
TESTSSL="$(command -v testssl || command -v testssl.sh)" || { echo "apt-get install -y testssl.sh" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"
java -jar "$JAR" certs ca --dir "$OUT/certs" >/dev/null
java -jar "$JAR" certs issue --dir "$OUT/certs" --dns localhost --ip 127.0.0.1 >/dev/null
cat > "$OUT/outrigger.yaml" <<YAML
admin: { address: 127.0.0.1:$((PORT + 1)) }   # also the upstream, so "/" answers 200
listeners:
  - name: audit
    address: 127.0.0.1:$PORT
    tls:
      certificates: [ { certificate_chain: $OUT/certs/localhost.crt, private_key: $OUT/certs/localhost.key } ]
    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: admin } } ] } ]
clusters:
  - { name: admin, endpoints: [ 127.0.0.1:$((PORT + 1)) ] }
YAML
java ${JAVA_OPTS:-} -jar "$JAR" run -c "$OUT/outrigger.yaml" --admin-address-path "$OUT/admin" > "$OUT/proxy.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$OUT/admin" ] && break; sleep 0.1; done
grep -m1 "TLS provider" "$OUT/proxy.log" || true
MODE=(--fast); [ "${1:-}" = "--full" ] && MODE=()
start=$(date +%s)
set +e
(cd "$OUT" && timeout 900 "$TESTSSL" --quiet --color 0 --warnings batch "${MODE[@]}" --openssl /usr/bin/openssl \
   --connect-timeout 5 --openssl-timeout 5 --jsonfile testssl.json --logfile testssl.log "127.0.0.1:$PORT" > /dev/null 2>&1)
rc=$?
set -e
echo "testssl exit $rc in $(( $(date +%s) - start ))s; full log: $OUT/testssl.log"
python3 - "$OUT/testssl.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
def get(i):
    return next((f["finding"] for f in findings if f["id"] == i), "-")
for i in ["SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "cipher_order", "FS", "cipherlist_AVERAGE", "cipherlist_3DES_IDEA", "cipherlist_OBSOLETED"]:
    print(f"  {i:22} {get(i)}")
noise = ("cert_", "chain_of_trust", "OCSP", "crl", "DNS_CAArecord", "HSTS", "security_headers", "banner", "intermediate_cert")
flagged = [f for f in findings if f.get("severity") in ("LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN")
           and not f["id"].startswith(noise) and f["id"] not in ("RC4",)]
print(f"flagged (excluding certificate-trust and header noise): {len(flagged)}")
for f in flagged:
    print(f"  {f['severity']:8} {f['id']}: {f['finding']}")
PY
