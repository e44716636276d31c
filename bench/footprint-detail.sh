#!/usr/bin/env bash
# Footprint of our HTTP router in detail (issue 14; bench/footprint.sh compares it with uWSGI and
# nginx): start-up time to the first served request, idle RSS, and RSS per idle keep-alive
# connection (N clients, one request each, then held idle), all with
# the JVM flags bin/corerouter uses (COREROUTER_JAVA_OPTS replaces them, as there). Each N gets a
# fresh router process; the clients come in two halves, and the growth over the second half is also
# printed per connection (the marginal cost, without the JIT's one-off code cache growth).
# Clients wait 600 s for their next request (--http-keepalive=600): the default keep-alive wait
# (--http-timeout, 60 s) would close the first ones while thousands of TLS handshakes are still made.
# Usage: bench/footprint-detail.sh [CONNECTIONS=5000 ...]
#   TLS=1    the clients talk HTTPS (measured after their handshake) to an --https listener
#   HISTO=1  also prints the heap histogram difference (jmap -histo:live, held minus idle, per
#            connection) and the heap in use, after the RSS was read
#   NMT=1    also runs the JVM with native memory tracking and prints what grew by category
#            (committed KB, held minus idle), after the RSS was read
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
counts=("${@:-5000}")
source "$root/bench/lib.sh"
ulimit -n 20000

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
heap_used_kb() { jcmd "$1" GC.heap_info | awk '/generation/ {for (i=1;i<=NF;i++) if ($i=="used") {sub("K","",$(i+1)); s+=$(i+1)}} END {print s}'; }

backend_port=$(free_port)
uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
wait_port "$backend_port"

scheme=http
listener=(--http)
hold_args=()
if [ "${TLS:-0}" = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/site.key" -out "$work/site.crt" -days 2 \
    -subj /CN=footprint >/dev/null 2>&1
  scheme=https
  hold_args=(--tls)
fi

echo "JVM flags:           ${java_opts:-(JVM defaults)}"
echo "clients:             $scheme keep-alive, one request each, then idle"
if [ "${NMT:-0}" = 1 ]; then
  java_opts="$java_opts -XX:NativeMemoryTracking=summary"
fi
for n in "${counts[@]}"; do
  ours_port=$(free_port)
  if [ "$scheme" = https ]; then
    listen=(--https "127.0.0.1:$ours_port,$work/site.crt,$work/site.key")
  else
    listen=(--http "127.0.0.1:$ours_port")
  fi
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" "${listen[@]}" --http-to "127.0.0.1:$backend_port" --http-keepalive=600 \
    >"$work/corerouter.log" 2>&1 &
  ours_pid=$!
  term_pids+=($ours_pid)
  until curl -ksf -o /dev/null "$scheme://127.0.0.1:$ours_port/"; do
    kill -0 "$ours_pid" || { cat "$work/corerouter.log" >&2; exit 1; }
    sleep 0.01
  done
  startup_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "${SETTLE:-3}"
  idle_kb=$(rss_kb "$ours_pid")
  if [ "${NMT:-0}" = 1 ]; then
    jcmd "$ours_pid" VM.native_memory baseline >/dev/null
  fi
  if [ "${HISTO:-0}" = 1 ]; then
    jmap -histo:live "$ours_pid" >"$work/histo-idle.txt"
    idle_heap_kb=$(heap_used_kb "$ours_pid")
  fi

  # two halves: the second half's growth is the marginal cost of a connection, once the JIT has
  # compiled what serving them takes (~4 MB of code cache, counted in "per connection" above)
  half=$(( n / 2 ))
  coproc HOLD { python3 "$root/bench/hold-connections.py" "$ours_port" "$half" "${hold_args[@]}"; }
  read -r _ready opened1 <&"${HOLD[0]}"
  sleep "${SETTLE:-3}"
  half_kb=$(rss_kb "$ours_pid")
  coproc HOLD2 { python3 "$root/bench/hold-connections.py" "$ours_port" "$(( n - half ))" "${hold_args[@]}"; }
  read -r _ready opened2 <&"${HOLD2[0]}"
  opened=$(( opened1 + opened2 ))
  sleep "${SETTLE:-3}"
  held_kb=$(rss_kb "$ours_pid")
  threads=$(ls "/proc/$ours_pid/task" | wc -l)
  if [ "${NMT:-0}" = 1 ]; then
    jcmd "$ours_pid" VM.native_memory summary.diff >"$work/nmt.txt"
  fi
  if [ "${HISTO:-0}" = 1 ]; then
    jmap -histo:live "$ours_pid" >"$work/histo-held.txt"
    held_heap_kb=$(heap_used_kb "$ours_pid")
  fi
  eval "exec ${HOLD[1]}>&- ${HOLD2[1]}>&-"
  wait "$HOLD_PID" "$HOLD2_PID" 2>/dev/null || true

  echo "--- $n clients"
  echo "start-up to 1st 200: ${startup_ms} ms"
  echo "idle RSS:            $(( idle_kb / 1024 )) MB (${idle_kb} kB, ${threads} threads)"
  echo "with $opened idle:    $(( held_kb / 1024 )) MB"
  echo "per connection:      $(( (held_kb - idle_kb) * 1024 / opened )) bytes RSS (held minus idle)"
  echo "marginal:            $(( (held_kb - half_kb) * 1024 / opened2 )) bytes RSS (from $opened1 to $opened held)"
  if [ "${NMT:-0}" = 1 ]; then
    echo "native memory tracking, committed, held minus idle:"
    grep -E '^(Total|-)' "$work/nmt.txt" | grep -E 'committed=[0-9]+KB [+-]' \
      | sed -E 's/^-? *([A-Za-z ]+[a-z]) *\(reserved=.*committed=([0-9]+KB) ([+-][0-9]+KB).*/  \1: \2 (\3)/'
  fi
  if [ "${HISTO:-0}" = 1 ]; then
    echo "live heap per conn.: $(( (held_heap_kb - idle_heap_kb) * 1024 / opened )) bytes (after a full GC)"
    python3 - "$work/histo-idle.txt" "$work/histo-held.txt" "$opened" <<'PY'
import re, sys
def load(path):
    out = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out
idle, held, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = []
for name, (count, size) in held.items():
    c0, s0 = idle.get(name, (0, 0))
    rows.append((size - s0, count - c0, name))
rows.sort(reverse=True)
print("heap histogram, held minus idle, per connection (bytes, instances):")
for size, count, name in rows[:45]:
    if size / n >= 4:
        print(f"  {size / n:8.1f} B {count / n:6.2f}  {name}")
print(f"  {sum(r[0] for r in rows) / n:8.1f} B total")
PY
  fi
  kill -TERM "$ours_pid"
  wait "$ours_pid" 2>/dev/null || true
done
