#!/usr/bin/env bash
# TLS macro benchmark: corerouter's HTTPS router vs uWSGI's own --https router (Debian build), side by
# side in one run, both in front of the same C-fast uWSGI backend (`--route-run return:200`), for an
# RSA-2048 and an ECDSA P-256 certificate (each router gets one listener per key type).
#
#   full handshakes/s     openssl s_time -new    (a new TLS session per connection), and the router's
#                         CPU (user+system, all its processes) per full handshake
#   resumed handshakes/s  openssl s_time -reuse  (the session of the first connection resumed)
#   HTTPS keepalive rps   wrk over https         (handshake once per connection, then requests)
#
# The server's private-key operation dominates a full handshake: RSA-2048 signing costs about ten
# times an ECDSA P-256 one. Both routers negotiate the same protocol (PROTO) and, under TLS 1.2, an
# ECDHE-RSA or ECDHE-ECDSA AES-GCM suite. The key exchange differs unless CURVES is set: uWSGI pins
# ECDHE to P-256 (SSL_CTX_set_tmp_ecdh, spec §5.1), also under TLS 1.3, where s_time's X25519 key
# share then costs uWSGI a HelloRetryRequest round trip; BoringSSL takes X25519. CURVES=P-256 makes
# the s_time clients offer P-256 only (an OPENSSL_CONF of their own), so both routers do the same work.
# The script prints what each one negotiated before measuring.
# s_time runs CLIENTS processes in parallel for each measurement; rates are summed.
#
# Usage: bench/tls-compare.sh [SECONDS] [CONNECTIONS]
# Env:   KEY (rsa, ec or both; default both), PROTO (default -tls1_2; -tls1_3 also works),
#        CURVES (s_time's groups, e.g. P-256; default: OpenSSL's list, X25519 first), CLIENTS (default 2), ROUNDS (default 1: routers take turns, medians and per-round ratios),
#        WARMUP (seconds per path, default 10, round 1 only: C2 still compiles the handshake path
#        after 20 s), RPS=0 skips the wrk keepalive runs,
#        COREROUTER_PROCESSES (default: CPU cores), UWSGI_HTTP_PROCESSES (default: CPU cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-64}"
proto="${PROTO:--tls1_2}"
clients="${CLIENTS:-2}"
warmup="${WARMUP:-10}"
case "${KEY:-both}" in
  both) keys=(rsa ec) ;;
  rsa|ec) keys=("$KEY") ;;
  *) echo "KEY: ${KEY} (expected: rsa, ec or both)" >&2; exit 2 ;;
esac
source "$root/bench/lib.sh"

wait_tls() { # port
  for _ in $(seq 1 300); do
    curl -sk -o /dev/null "https://127.0.0.1:$1/" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "https port $1 never answered" >&2; return 1
}

client_env=()
if [ -n "${CURVES:-}" ]; then
  printf 'openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nGroups = %s\n' \
    "$CURVES" >"$work/client.cnf"
  client_env=(env "OPENSSL_CONF=$work/client.cnf")
fi

backend_port=$(free_port)
procs=$(nproc)
uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)

declare -A port pid
for key in "${keys[@]}"; do
  if [ "$key" = rsa ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/$key.key" -out "$work/$key.crt" \
      -subj "/CN=bench.example" -days 2 2>/dev/null
  else
    # SEC1, as openssl ecparam -genkey writes it (EC PARAMETERS block, then BEGIN EC PRIVATE KEY)
    openssl ecparam -genkey -name prime256v1 -out "$work/$key.key"
    openssl req -x509 -key "$work/$key.key" -out "$work/$key.crt" -subj "/CN=bench.example" -days 2 2>/dev/null
  fi
  port[uwsgi-$key]=$(free_port)
  uwsgi --plugin http --master --https "127.0.0.1:${port[uwsgi-$key]},$work/$key.crt,$work/$key.key" \
    --http-to "127.0.0.1:$backend_port" --http-keepalive --http-processes "${UWSGI_HTTP_PROCESSES:-$procs}" \
    --disable-logging >"$work/uwsgi-$key.log" 2>&1 &
  pid[uwsgi-$key]=$!
  pids+=($!)
  port[corerouter-$key]=$(free_port)
  java $java_opts -jar "$jar" --https "127.0.0.1:${port[corerouter-$key]},$work/$key.crt,$work/$key.key" \
    --http-to "127.0.0.1:$backend_port" --http-keepalive --http-processes "${COREROUTER_PROCESSES:-$procs}" \
    >"$work/corerouter-$key.log" 2>&1 &
  pid[corerouter-$key]=$!
  term_pids+=($!)
done
for name in "${!port[@]}"; do wait_tls "${port[$name]}"; done

for key in "${keys[@]}"; do
  for router in uwsgi corerouter; do
    "${client_env[@]}" openssl s_client -connect "127.0.0.1:${port[$router-$key]}" "$proto" </dev/null 2>/dev/null \
      | awk -v n="$router-$key" '/^(Peer signature type|Server Temp Key|New, )/ {s = s "; " $0} END {print n s}' >&2
  done
done

# handshakes PORT MODE(-new|-reuse) SECONDS -> "rate connections": CLIENTS parallel s_time runs, each
# printing "N connections in T real seconds"
handshakes() {
  local i out=()
  for i in $(seq 1 "$clients"); do
    "${client_env[@]}" openssl s_time -connect "127.0.0.1:$1" "$2" "$proto" -time "$3" >"$work/stime.$i" 2>&1 &
    out+=($!)
  done
  wait "${out[@]}"
  # read and removed before printing: a caller reading from <(handshakes ...) goes on at the newline
  local text
  text=$(cat "$work"/stime.*)
  rm -f "$work"/stime.*
  python3 -c '
import re, sys
rate, count = 0.0, 0
for n, t in re.findall(r"(\d+) connections in (\d+) real seconds", sys.stdin.read()):
    rate += int(n) / max(1, int(t))
    count += int(n)
print(f"{rate:.0f} {count}")' <<<"$text"
}

keepalive_rps() { # port seconds
  if [ "${RPS:-1}" = 0 ]; then echo 0; return; fi
  wrk -t2 -c"$connections" -d"$2s" "https://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'
}

# measure ROUND NAME: appends "ROUND NAME full cpu_us_per_full resumed rps" to $results
measure() {
  local round=$1 name=$2 p=${port[$2]}
  if [ "$round" -eq 1 ]; then   # warm-up of each path measured (the JIT compiles per path); same for uWSGI
    handshakes "$p" -new "$warmup" >/dev/null
    handshakes "$p" -reuse "$warmup" >/dev/null
    keepalive_rps "$p" "$warmup" >/dev/null
  fi
  local before after full count cpu_us resumed rps
  before=$(cpu_ticks "${pid[$name]}")
  read -r full count < <(handshakes "$p" -new "$duration")
  after=$(cpu_ticks "${pid[$name]}")
  cpu_us=$(python3 -c "print(round(($after-$before)/$hz*1e6/max(1,$count),1))")
  read -r resumed _ < <(handshakes "$p" -reuse "$duration")
  rps=$(keepalive_rps "$p" "$duration")
  echo "round $round: $name full=$full/s cpu_us_per_full=$cpu_us resumed=$resumed/s rps=$rps" >&2
  echo "$round $name $full $cpu_us $resumed $rps" >>"$results"
}

for round in $(seq 1 "$rounds"); do
  for key in "${keys[@]}"; do
    measure "$round" "uwsgi-$key"
    measure "$round" "corerouter-$key"
  done
done

python3 - "$results" "$proto" "${CURVES:-default}" "${keys[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
proto, curves, keys = sys.argv[2], sys.argv[3], sys.argv[4:]
data = {(int(r[0]), r[1]): tuple(map(float, r[2:6])) for r in rows}
rounds = sorted({k[0] for k in data})
med = lambda name, i: statistics.median(data[(k, name)][i] for k in rounds)
label = {"rsa": "RSA 2048", "ec": "ECDSA P-256"}
print(f"protocol {proto}, client groups {curves}, medians of {len(rounds)} round(s)")
print(f"{'router':<18} {'full hs/s':>10} {'cpu_us/full':>12} {'resumed hs/s':>13} {'keepalive rps':>14}")
for key in keys:
    for r in ("uwsgi", "corerouter"):
        n = f"{r}-{key}"
        print(f"{n:<18} {med(n,0):>10.0f} {med(n,1):>12.1f} {med(n,2):>13.0f} {med(n,3):>14.0f}")
for key in keys:
    o, u = f"corerouter-{key}", f"uwsgi-{key}"
    ratio = lambda i: [data[(k, o)][i] / max(data[(k, u)][i], 1e-9) for k in rounds]
    fmt = lambda v: f"{statistics.median(v):.2f} (rounds: {' '.join(f'{x:.2f}' for x in v)})"
    print(f"{label[key]}: ours/uwsgi full hs/s {fmt(ratio(0))}, cpu/full handshake {fmt(ratio(1))}, "
          f"resumed {statistics.median(ratio(2)):.2f}" + (f", keepalive rps {statistics.median(ratio(3)):.2f}"
          if all(data[(k, u)][3] for k in rounds) else ""))
PY
