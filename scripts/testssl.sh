#!/usr/bin/env bash
# Scans corerouter's HTTPS listener, started with default TLS options, with testssl (Debian's
# testssl.sh), as an operator would before going live, and fails when the scan finds a problem:
#   - an obsolete cipher category offered (NULL, anonymous, export, LOW, 3DES, obsolete CBC);
#   - any "VULNERABLE" or "potentially VULNERABLE" line.
# A uWSGI app (--route-run return:200) answers behind the router, so the HTTP checks see a real app.
# Takes a few minutes; not part of `mvn verify` (docs/tls.md, "Scanning").
#
# Usage: scripts/testssl.sh [CERT_TYPE]      CERT_TYPE: rsa (default) or ecdsa
# Env:   SKIP_BUILD=1   use launcher/target/corerouter.jar as it is
#        KEEP=1         keep the work directory (certificate, logs, the full scan in testssl.log)
#        TESTSSL_ARGS   extra testssl arguments (default: none: every default check)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cert_type="${1:-rsa}"
"$root/scripts/install-peers.sh"
jar="$root/launcher/target/corerouter.jar"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  (cd "$root" && mvn -q -B -DskipTests -pl launcher -am package)
fi

work="$(mktemp -d /tmp/corerouter-testssl.XXXXXX)"
pids=()
cleanup() {
  # uWSGI masters exit on SIGINT (SIGTERM reloads them); the JVM exits on SIGTERM
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "testssl: work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

case "$cert_type" in
  rsa)   newkey=(-newkey rsa:2048) ;;
  ecdsa) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1) ;;
  *) echo "usage: $0 [rsa|ecdsa]" >&2; exit 2 ;;
esac
openssl req -x509 "${newkey[@]}" -nodes -keyout "$work/server.key" -out "$work/server.crt" \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -days 90 2>/dev/null

backend_port=$(free_port)
https_port=$(free_port)
uwsgi --master --socket "127.0.0.1:$backend_port" --processes 1 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
# the default HTTPS listener: no cipher list, no TLS option
java ${COREROUTER_JAVA_OPTS--XX:+UseSerialGC -Xms16m -Xmn8m -Dio.netty.allocator.maxOrder=7} -jar "$jar" --https "127.0.0.1:$https_port,$work/server.crt,$work/server.key" \
  --http-to "127.0.0.1:$backend_port" --http-keepalive >"$work/corerouter.log" 2>&1 &
router_pid=$!
pids+=("$router_pid")
for _ in $(seq 1 300); do
  curl -sk -o /dev/null "https://127.0.0.1:$https_port/" 2>/dev/null && break
  sleep 0.1
done

echo "testssl: scanning https://127.0.0.1:$https_port/ ($cert_type certificate, default TLS options)" >&2
# testssl kills its helper processes by PID after a timeout (wait_kill); it runs thousands of them,
# so PIDs wrap (pid_max 32768) and a stale PID can be a new thread of the router's JVM, which then
# gets the SIGTERM. In a PID namespace of its own testssl can only signal its own processes.
isolate=()
if unshare --pid --fork --mount-proc true 2>/dev/null; then
  isolate=(unshare --pid --fork --mount-proc)
elif unshare --user --map-root-user --pid --fork --mount-proc true 2>/dev/null; then
  isolate=(unshare --user --map-root-user --pid --fork --mount-proc)
else
  echo "testssl: no PID namespace available (unshare); a stray kill from testssl may stop the router" >&2
fi
# --warnings batch: no questions; --ip one: 127.0.0.1 only; --color 0: plain text to parse
"${isolate[@]}" testssl --color 0 --warnings batch --ip one ${TESTSSL_ARGS:-} "127.0.0.1:$https_port" \
  >"$work/testssl.log" 2>&1 || true

log="$work/testssl.log"
if ! kill -0 "$router_pid" 2>/dev/null; then
  echo "testssl: corerouter exited during the scan; its log:" >&2; tail -30 "$work/corerouter.log" >&2; exit 1
fi
if ! grep -q "Testing vulnerabilities" "$log" || ! grep -q "^ Done " "$log" || grep -q "Fatal error" "$log"; then
  echo "testssl: the scan did not complete:" >&2; tail -30 "$log" >&2; exit 1
fi
echo "---- protocols, cipher categories, vulnerabilities (full scan: KEEP=1, then \$work/testssl.log)"
# each section runs from its heading to the next heading
awk '/^ (Testing|Running) / {p = ($0 ~ /^ Testing (protocols|cipher categories|vulnerabilities)/)}
     /^Hexcode/ {p = 0} p && !/^[[:space:]]*$/' "$log"
problems=0
# each obsolete category must say "not offered"
while IFS= read -r line; do
  case "$line" in
    *"not offered"*) ;;
    *) echo "PROBLEM: $line"; problems=$((problems + 1)) ;;
  esac
done < <(grep -E '^ *(NULL ciphers|Anonymous NULL|Export ciphers|LOW: 64 Bit|Triple DES|Obsolete CBC)' "$log")
while IFS= read -r line; do
  echo "PROBLEM: $line"; problems=$((problems + 1))
done < <(grep -E 'VULNERABLE' "$log" || true)
if [ "$problems" -ne 0 ]; then
  echo "testssl: $problems problem(s) found" >&2
  exit 1
fi
echo "testssl: no obsolete cipher offered, nothing VULNERABLE"
