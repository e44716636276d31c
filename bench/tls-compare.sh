#!/usr/bin/env bash
# TLS macro benchmark: corerouter's HTTPS router vs uWSGI's own --https router (Debian build), side by
# side in one run, both in front of the same C-fast uWSGI backend (`--route-run return:200`).
#
#   full handshakes/s     openssl s_time -new    (a new TLS session per connection)
#   resumed handshakes/s  openssl s_time -reuse  (the session of the first connection resumed)
#   HTTPS keepalive rps   wrk over https         (handshake once per connection, then requests)
#
# The certificate is RSA 2048 (the server's private-key operation dominates a full handshake).
# s_time runs CLIENTS processes in parallel for each measurement; rates are summed.
#
# Usage: bench/tls-compare.sh [SECONDS] [CONNECTIONS]
# Env:   PROTO (default -tls1_2; -tls1_3 also works), CLIENTS (default 2),
#        COREROUTER_PROCESSES (default: CPU cores), UWSGI_HTTP_PROCESSES (default: CPU cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-64}"
proto="${PROTO:--tls1_2}"
clients="${CLIENTS:-2}"
"$root/scripts/install-peers.sh"
jar="$root/launcher/target/corerouter.jar"
java_opts="${COREROUTER_JAVA_OPTS--XX:+UseSerialGC -Xms16m -Xmn8m -Dio.netty.allocator.maxOrder=7}"   # as bin/corerouter
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl launcher -am package)

work="$(mktemp -d /tmp/corerouter-tls-bench.XXXXXX)"
pids=()
java_pid=""
cleanup() {
  # uWSGI masters exit on SIGINT (SIGTERM reloads them); the JVM of a background job ignores SIGINT
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  [ -n "$java_pid" ] && kill -TERM "$java_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_tls() { # port
  for _ in $(seq 1 300); do
    curl -sk -o /dev/null "https://127.0.0.1:$1/" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "https port $1 never answered" >&2; return 1
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.crt" \
  -subj "/CN=bench.example" -days 2 2>/dev/null

backend_port=$(free_port)
uwsgi_port=$(free_port)
ours_port=$(free_port)
procs=$(nproc)

uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
uwsgi --plugin http --master --https "127.0.0.1:$uwsgi_port,$work/server.crt,$work/server.key" \
  --http-to "127.0.0.1:$backend_port" --http-keepalive --http-processes "${UWSGI_HTTP_PROCESSES:-$procs}" \
  --disable-logging >"$work/uwsgi-router.log" 2>&1 &
pids+=($!)
java $java_opts -jar "$jar" --https "127.0.0.1:$ours_port,$work/server.crt,$work/server.key" \
  --http-to "127.0.0.1:$backend_port" --http-keepalive --http-processes "${COREROUTER_PROCESSES:-$procs}" \
  >"$work/corerouter.log" 2>&1 &
java_pid=$!
wait_tls "$uwsgi_port"; wait_tls "$ours_port"

# handshakes/s: CLIENTS parallel s_time runs; each prints "N connections in T real seconds"
handshakes() { # port mode(-new|-reuse) seconds
  local i out=()
  for i in $(seq 1 "$clients"); do
    openssl s_time -connect "127.0.0.1:$1" "$2" "$proto" -time "$3" >"$work/stime.$i" 2>&1 &
    out+=($!)
  done
  wait "${out[@]}"
  cat "$work"/stime.* | python3 -c '
import re, sys
rate = 0.0
for n, t in re.findall(r"(\d+) connections in (\d+) real seconds", sys.stdin.read()):
    rate += int(n) / max(1, int(t))
print(f"{rate:.0f}")'
  rm -f "$work"/stime.*
}

keepalive_rps() { # port seconds
  wrk -t2 -c"$connections" -d"$2s" "https://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'
}

measure() { # name port -> "full resumed rps"
  local name=$1 port=$2
  # warm-up: JIT and pools for ours, the same treatment for uWSGI
  handshakes "$port" -new 3 >/dev/null     # warm-up of each path measured (the JIT compiles per path)
  handshakes "$port" -reuse 3 >/dev/null
  keepalive_rps "$port" 5 >/dev/null
  local full resumed rps
  full=$(handshakes "$port" -new "$duration")
  resumed=$(handshakes "$port" -reuse "$duration")
  rps=$(keepalive_rps "$port" "$duration")
  echo "$name full=$full resumed=$resumed rps=$rps" >&2
  echo "$full $resumed $rps"
}

read -r u_full u_res u_rps < <(measure "uwsgi-https" "$uwsgi_port")
read -r o_full o_res o_rps < <(measure "corerouter" "$ours_port")

python3 - "$u_full" "$u_res" "$u_rps" "$o_full" "$o_res" "$o_rps" "$proto" <<'PY'
import sys
u_full, u_res, u_rps, o_full, o_res, o_rps = map(float, sys.argv[1:7])
proto = sys.argv[7]
print(f"protocol {proto}, RSA 2048 certificate")
print(f"{'router':<12} {'full hs/s':>10} {'resumed hs/s':>13} {'keepalive rps':>14}")
print(f"{'uwsgi-https':<12} {u_full:>10.0f} {u_res:>13.0f} {u_rps:>14.0f}")
print(f"{'corerouter':<12} {o_full:>10.0f} {o_res:>13.0f} {o_rps:>14.0f}")
print(f"corerouter resumed/full        = {o_res/max(o_full,1):.1f}x  (target >= 10)")
print(f"uwsgi resumed/full             = {u_res/max(u_full,1):.1f}x")
print(f"full handshakes (ours/uwsgi)   = {o_full/max(u_full,1):.2f}")
print(f"resumed handshakes (ours/uwsgi)= {o_res/max(u_res,1):.2f}")
print(f"keepalive rps (ours/uwsgi)     = {o_rps/max(u_rps,1):.2f}  (target >= 1.25)")
PY
