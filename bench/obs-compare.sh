#!/usr/bin/env bash
# What observability costs (issue 12): the same corerouter HTTP router three times against the same
# C-fast uWSGI backend, taking turns per round: without observation (-Dcorerouter.observe=off), with
# the metrics (the default), and with the metrics and an access log to a file. Prints the medians of
# requests/s, p99 and CPU per request, and the ratios to the router without observation.
#
# Usage: bench/obs-compare.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   ROUNDS (default 1), COREROUTER_PROCESSES (default: CPU cores), WARMUP (seconds, default 10)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-64}"
source "$root/bench/lib.sh"

backend_port=$(free_port)
off_port=$(free_port)
metrics_port=$(free_port)
log_port=$(free_port)

uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
start_router() { # port extra-java-opts extra-args...
  local port=$1 jopts=$2
  shift 2
  # shellcheck disable=SC2086
  java $java_opts $jopts -jar "$jar" --http "127.0.0.1:$port" --http-to "127.0.0.1:$backend_port" --http-keepalive \
    --http-processes "${COREROUTER_PROCESSES:-$(nproc)}" "$@" >"$work/corerouter-$port.log" 2>&1 &
  echo $!
}
off_pid=$(start_router "$off_port" -Dcorerouter.observe=off)
metrics_pid=$(start_router "$metrics_port" "")
log_pid=$(start_router "$log_port" "" --http-access-log "$work/access.log")
term_pids+=("$off_pid" "$metrics_pid" "$log_pid")
wait_port "$backend_port"; wait_port "$off_port"; wait_port "$metrics_port"; wait_port "$log_port"

for round in $(seq 1 "$rounds"); do
  wrk_measure "$round" observe-off "$off_pid" "$off_port"
  wrk_measure "$round" metrics "$metrics_pid" "$metrics_port"
  wrk_measure "$round" metrics+log "$log_pid" "$log_port"
done
echo "access log: $(wc -l <"$work/access.log") lines, $(du -h "$work/access.log" | cut -f1)" >&2
wrk_summary "metrics/observe-off >=0.97 (goal: <=3% rps lost)" "metrics+log/observe-off >=0.92 (goal: <=8% rps lost)"
