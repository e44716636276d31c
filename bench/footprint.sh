#!/usr/bin/env bash
# Footprint (issue 14): start-up time to the first served request, idle RSS, and RSS per idle
# keep-alive connection (N clients, one request each, then held idle: bench/hold-connections.py), of
#   ours         the HTTP router with bin/corerouter's JVM flags and class-data archive
#   ours-nocds   the same without the archive (COREROUTER_CDS=off)
#   uwsgi-http   uWSGI's http router (master + gateway process)
#   nginx        nginx uwsgi_pass (master + CPU-cores workers)
# each in front of the same C-fast uWSGI node, one after the other. RSS is VmRSS from /proc, summed
# over the router's processes, idle = SETTLE seconds (default 3) after the first request.
# COREROUTER_JAVA_OPTS replaces our JVM flags, as in bin/corerouter.
# Usage: bench/footprint.sh [CONNECTIONS=5000]
# Env:   ROUTERS (default "ours ours-nocds uwsgi-http nginx"), SETTLE
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-5000}"
source "$root/bench/lib.sh"
ulimit -n 20000
routers="${ROUTERS:-ours ours-nocds uwsgi-http nginx}"

threads() { # pid: threads of the process and its children
  local total=0 p
  for p in $(pgrep -P "$1" 2>/dev/null) "$1"; do total=$(( total + $(ls "/proc/$p/task" | wc -l) )); done
  echo "$total"
}

backend_port=$(free_port)
uwsgi --master --socket "127.0.0.1:$backend_port" --processes 2 --route-run return:200 --disable-logging \
  >"$work/backend.log" 2>&1 &
pids+=($!)
wait_port "$backend_port"
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user root;"

start_router() { # name port: starts it in the background, sets router_pid
  case $1 in
    ours|ours-nocds)
      local opts="$java_opts"
      [ "$1" = ours-nocds ] && opts="$java_base_opts"
      java $opts -jar "$jar" --http "127.0.0.1:$2" --http-to "127.0.0.1:$backend_port" --http-keepalive \
        >"$work/$1.log" 2>&1 &
      router_pid=$!; term_pids+=($router_pid) ;;
    uwsgi-http)
      uwsgi --plugin http --master --http "127.0.0.1:$2" --http-to "127.0.0.1:$backend_port" --http-keepalive \
        --disable-logging >"$work/$1.log" 2>&1 &
      router_pid=$!; pids+=($router_pid) ;;
    nginx)
      mkdir -p "$work/nginx"
      cat >"$work/nginx/nginx.conf" <<CFG
$user_line
worker_processes $(nproc);
worker_rlimit_nofile 20000;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_timeout 300s;
  keepalive_requests 100000;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$2; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$backend_port; } }
}
CFG
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
      router_pid=$!; pids+=($router_pid) ;;
  esac
}

stop_router() { # pid
  if kill -0 "$1" 2>/dev/null; then
    case " ${term_pids[*]} " in *" $1 "*) kill -TERM "$1" ;; *) kill -INT "$1" ;; esac
    wait "$1" 2>/dev/null || true
  fi
}

printf '%-11s %11s %9s %14s %12s %8s\n' router "start-up ms" "idle MB" "with N idle MB" "per conn B" threads
for name in $routers; do
  port=$(free_port)
  start=$(date +%s%N)
  start_router "$name" "$port"
  until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do
    kill -0 "$router_pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.01
  done
  startup_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "${SETTLE:-3}"
  idle_kb=$(rss_kb "$router_pid")
  coproc HOLD { python3 "$root/bench/hold-connections.py" "$port" "$n"; }
  read -r _ready opened <&"${HOLD[0]}"
  sleep "${SETTLE:-3}"
  held_kb=$(rss_kb "$router_pid")
  nthreads=$(threads "$router_pid")
  eval "exec ${HOLD[1]}>&-"
  wait "$HOLD_PID" 2>/dev/null || true
  stop_router "$router_pid"
  printf '%-11s %11d %9.1f %14.1f %12d %8d\n' "$name" "$startup_ms" "$(awk "BEGIN {print $idle_kb/1024}")" \
    "$(awk "BEGIN {print $held_kb/1024}")" "$(( (held_kb - idle_kb) * 1024 / opened ))" "$nthreads"
  echo "footprint $name startup_ms=$startup_ms idle_kb=$idle_kb held_kb=$held_kb opened=$opened" >>"$work/footprint"
done
echo "(N = $n idle keep-alive clients; ours: ${java_opts}; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
[ -n "${FOOTPRINT_OUT:-}" ] && cp "$work/footprint" "$FOOTPRINT_OUT"
exit 0
