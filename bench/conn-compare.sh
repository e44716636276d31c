#!/usr/bin/env bash
# Connection-per-request paths (issue 14), corerouter against uWSGI's C routers, taking turns in one
# run, in front of C-fast uWSGI nodes (`--route-run return:200`): router CPU µs per request is the
# figure to compare (the kernel's connect/accept/close work is most of it, for both).
#   http-close  wrk -H "Connection: close" -> HTTP router -> uwsgi node        (a client connection per request)
#   fast        wrk -> nginx uwsgi_pass (no keepalive) -> fastrouter -> uwsgi node
#   raw         wrk -H "Connection: close" -> rawrouter -> --http-socket node
#   ssl         wrk https -H "Connection: close" -> sslrouter -> --http-socket node (ECDSA P-256
#               certificate, so the handshake's signature is cheap for both TLS libraries)
# Usage: bench/conn-compare.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
# Env:   ROUNDS (default 1), WARMUP, COREROUTER_PROCESSES (default: CPU cores), UWSGI_ROUTER_PROCESSES
#        (default 1, uWSGI's default), COREROUTER_JAVA_OPTS, PATHS (default "http-close fast raw ssl")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-32}"
source "$root/bench/lib.sh"
ours_procs="${COREROUTER_PROCESSES:-$(nproc)}"
uwsgi_procs="${UWSGI_ROUTER_PROCESSES:-1}"
paths="${PATHS:-http-close fast raw ssl}"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/ec.key" \
  -out "$work/ec.crt" -subj "/CN=bench.example" -days 2 2>/dev/null
uwsgi_node=$(free_port); http_node=$(free_port)
declare -A o u
for p in http fast raw ssl; do o[$p]=$(free_port); u[$p]=$(free_port); done
ngx_o=$(free_port); ngx_u=$(free_port)

uwsgi --master --socket "127.0.0.1:$uwsgi_node" --processes 4 --route-run return:200 --disable-logging \
  >"$work/node.log" 2>&1 &
pids+=($!)
uwsgi --master --http-socket "127.0.0.1:$http_node" --processes 4 --route-run return:200 --disable-logging \
  >"$work/http-node.log" 2>&1 &
pids+=($!)

java $java_opts -jar "$jar" \
  --http "127.0.0.1:${o[http]}" --http-to "127.0.0.1:$uwsgi_node" --http-keepalive --http-processes "$ours_procs" \
  --fastrouter "127.0.0.1:${o[fast]}" --fastrouter-to "127.0.0.1:$uwsgi_node" --fastrouter-processes "$ours_procs" \
  --rawrouter "127.0.0.1:${o[raw]}" --rawrouter-to "127.0.0.1:$http_node" --rawrouter-processes "$ours_procs" \
  --sslrouter "127.0.0.1:${o[ssl]},$work/ec.crt,$work/ec.key" --sslrouter-to "127.0.0.1:$http_node" \
  --sslrouter-processes "$ours_procs" >"$work/corerouter.log" 2>&1 &
ours_pid=$!; term_pids+=($ours_pid)

declare -A upid
uwsgi_router() { # name plugin args...
  local name=$1 plugin=$2; shift 2
  uwsgi --plugin "$plugin" --master "$@" --disable-logging >"$work/uwsgi-$name.log" 2>&1 &
  upid[$name]=$!; pids+=($!)
}
uwsgi_router http http --http "127.0.0.1:${u[http]}" --http-to "127.0.0.1:$uwsgi_node" --http-keepalive \
  --http-processes "$uwsgi_procs"
uwsgi_router fast fastrouter --fastrouter "127.0.0.1:${u[fast]}" --fastrouter-to "127.0.0.1:$uwsgi_node" \
  --fastrouter-processes "$uwsgi_procs"
uwsgi_router raw rawrouter --rawrouter "127.0.0.1:${u[raw]}" --rawrouter-to "127.0.0.1:$http_node" \
  --rawrouter-processes "$uwsgi_procs"
uwsgi_router ssl sslrouter --sslrouter "127.0.0.1:${u[ssl]},$work/ec.crt,$work/ec.key" \
  --sslrouter-to "127.0.0.1:$http_node" --sslrouter-processes "$uwsgi_procs"

mkdir -p "$work/nginx"
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CFG
$user_line
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$ngx_u; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:${u[fast]}; } }
  server { listen 127.0.0.1:$ngx_o; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:${o[fast]}; } }
}
CFG
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
pids+=($!)
for p in "$uwsgi_node" "$http_node" "${o[@]}" "${u[@]}" "$ngx_o" "$ngx_u"; do wait_port "$p"; done

close=(-H "Connection: close")
for round in $(seq 1 "$rounds"); do
  for path in $paths; do
    case $path in
      http-close) wrk_measure "$round" uwsgi-http-close "${upid[http]}" "${u[http]}" http "${close[@]}"
                  wrk_measure "$round" ours-http-close "$ours_pid" "${o[http]}" http "${close[@]}" ;;
      fast) wrk_measure "$round" uwsgi-fast "${upid[fast]}" "$ngx_u"
            wrk_measure "$round" ours-fast "$ours_pid" "$ngx_o" ;;
      raw) wrk_measure "$round" uwsgi-raw "${upid[raw]}" "${u[raw]}" http "${close[@]}"
           wrk_measure "$round" ours-raw "$ours_pid" "${o[raw]}" http "${close[@]}" ;;
      ssl) wrk_measure "$round" uwsgi-ssl "${upid[ssl]}" "${u[ssl]}" https "${close[@]}"
           wrk_measure "$round" ours-ssl "$ours_pid" "${o[ssl]}" https "${close[@]}" ;;
    esac
  done
done
echo "(corerouter: $ours_procs event loops, one JVM for all four routers (one measured at a time); uWSGI: a"
echo " $uwsgi_procs-process router each; nginx: 1 worker, in front of both fastrouters; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
specs=()
for path in $paths; do
  case $path in http-close) n=http-close ;; *) n=$path ;; esac
  specs+=("ours-$n/uwsgi-$n - (goal: cpu/req <= 1.1)")
done
wrk_summary "${specs[@]}"
[ -n "${RESULTS_OUT:-}" ] && cp "$results" "$RESULTS_OUT"
exit 0
