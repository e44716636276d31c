#!/usr/bin/env bash
# Macro benchmark: corerouter's HTTP router vs uWSGI's own C http router, side by side, in one run,
# against the same C-fast uWSGI backend (`--route-run return:200`, no Python in the path).
# Each router gets a warm-up, then a measured wrk run; the script prints requests/s, p99 latency and
# CPU time per request (utime+stime of the router process(es) from /proc), then the ratios.
#
# Usage: bench/wrk-compare.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   COREROUTER_PROCESSES (default: CPU cores), UWSGI_HTTP_PROCESSES (default 1, uWSGI's default)
#        COREROUTER_JAVA_OPTS (default -XX:+UseSerialGC, as bin/corerouter)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-64}"
source "$root/bench/lib.sh"

backend_port=$(free_port)
uwsgi_port=$(free_port)
ours_port=$(free_port)

uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
uwsgi --plugin http --master --http "127.0.0.1:$uwsgi_port" --http-to "127.0.0.1:$backend_port" \
  --http-keepalive --http-processes "${UWSGI_HTTP_PROCESSES:-1}" --disable-logging >"$work/uwsgi-router.log" 2>&1 &
uwsgi_pid=$!
pids+=($uwsgi_pid)
java $java_opts -jar "$jar" --http "127.0.0.1:$ours_port" --http-to "127.0.0.1:$backend_port" --http-keepalive \
  --http-processes "${COREROUTER_PROCESSES:-$(nproc)}" >"$work/corerouter.log" 2>&1 &
ours_pid=$!
term_pids+=($ours_pid)
wait_port "$backend_port"; wait_port "$uwsgi_port"; wait_port "$ours_port"

measure() { # name pid port -> prints "rps p99_ms cpu_us_per_req"
  local name=$1 pid=$2 port=$3
  wrk -t2 -c"$connections" -d"${WARMUP:-10}s" "http://127.0.0.1:$port/" >/dev/null   # warm-up (JIT, pools)
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/")
  after=$(cpu_ticks "$pid")
  local rps reqs p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  local cpu_us
  cpu_us=$(python3 -c "print(round(($after-$before)/$hz*1e6/max(1,$reqs),2))")
  echo "$name rps=$rps p99=$p99 cpu_us_per_req=$cpu_us requests=$reqs ${errors}" >&2
  echo "$rps $p99 $cpu_us"
}

read -r u_rps u_p99 u_cpu < <(measure "uwsgi-http" "$uwsgi_pid" "$uwsgi_port")
read -r o_rps o_p99 o_cpu < <(measure "corerouter" "$ours_pid" "$ours_port")

python3 - "$u_rps" "$u_p99" "$u_cpu" "$o_rps" "$o_p99" "$o_cpu" <<'PY'
import sys
def ms(v):
    v = v.strip()
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)
u_rps, u_p99, u_cpu, o_rps, o_p99, o_cpu = sys.argv[1:]
u_rps, o_rps, u_cpu, o_cpu = float(u_rps), float(o_rps), float(u_cpu), float(o_cpu)
print(f"{'router':<12} {'rps':>10} {'p99_ms':>8} {'cpu_us/req':>11}")
print(f"{'uwsgi-http':<12} {u_rps:>10.0f} {ms(u_p99):>8.2f} {u_cpu:>11.2f}")
print(f"{'corerouter':<12} {o_rps:>10.0f} {ms(o_p99):>8.2f} {o_cpu:>11.2f}")
print(f"ratio rps (corerouter/uwsgi) = {o_rps/u_rps:.2f}  (target >= 1.25)")
print(f"ratio cpu per request        = {o_cpu/max(u_cpu,1e-9):.2f}  (target <= 0.80)")
PY
