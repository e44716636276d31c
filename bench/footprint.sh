#!/usr/bin/env bash
# Footprint of the HTTP router (issue 14): start-up time to the first served request, idle RSS,
# and RSS per idle keep-alive connection (N clients, one request each, then held idle), all with
# the JVM flags bin/corerouter uses (COREROUTER_JAVA_OPTS replaces them, as there).
# Usage: bench/footprint.sh [CONNECTIONS=5000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-5000}"
source "$root/bench/lib.sh"
ulimit -n 20000

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

backend_port=$(free_port)
ours_port=$(free_port)
uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
wait_port "$backend_port"

start=$(date +%s%N)
java $java_opts -jar "$jar" --http "127.0.0.1:$ours_port" --http-to "127.0.0.1:$backend_port" --http-keepalive \
  >"$work/corerouter.log" 2>&1 &
ours_pid=$!
term_pids+=($ours_pid)
until curl -sf -o /dev/null "http://127.0.0.1:$ours_port/"; do
  kill -0 "$ours_pid" || { cat "$work/corerouter.log" >&2; exit 1; }
  sleep 0.01
done
startup_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep "${SETTLE:-3}"
idle_kb=$(rss_kb "$ours_pid")

coproc HOLD { python3 "$root/bench/hold-connections.py" "$ours_port" "$n"; }
read -r _ready opened <&"${HOLD[0]}"
sleep "${SETTLE:-3}"
held_kb=$(rss_kb "$ours_pid")
threads=$(ls "/proc/$ours_pid/task" | wc -l)
eval "exec ${HOLD[1]}>&-"
wait "$HOLD_PID" 2>/dev/null || true

echo "JVM flags:           ${java_opts:-(JVM defaults)}"
echo "start-up to 1st 200: ${startup_ms} ms"
echo "idle RSS:            $(( idle_kb / 1024 )) MB (${idle_kb} kB, ${threads} threads)"
echo "with $opened idle:    $(( held_kb / 1024 )) MB"
echo "per connection:      $(( (held_kb - idle_kb) * 1024 / opened )) bytes"
