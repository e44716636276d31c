#!/usr/bin/env bash
# Macro benchmark: corerouter's HTTP router vs uWSGI's own C http router, side by side, in one run,
# against the same C-fast uWSGI backend (`--route-run return:200`, no Python in the path).
# Each router gets a warm-up, then one measured wrk run per round (ROUNDS, default 1, the routers taking
# turns); the script prints the medians of requests/s, p99 latency and CPU time per request
# (utime+stime of the router process(es) from /proc), then the ratios per round and their median.
#
# Usage: bench/wrk-compare.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   ROUNDS (default 1), COREROUTER_PROCESSES (default: CPU cores), UWSGI_HTTP_PROCESSES (default 1,
#        uWSGI's default), WARMUP (seconds, default 10),
#        COREROUTER_JAVA_OPTS (default: bin/corerouter's flags)
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

for round in $(seq 1 "$rounds"); do
  wrk_measure "$round" uwsgi-http "$uwsgi_pid" "$uwsgi_port"
  wrk_measure "$round" corerouter "$ours_pid" "$ours_port"
done
wrk_summary "corerouter/uwsgi-http >=1.25 (target cpu/req <= 0.80)"
