#!/usr/bin/env bash
# Macro benchmark for the fastrouter and the rawrouter, in one run, against the same C-fast uWSGI
# backends (`--route-run return:200`, no Python in the path):
#   fastrouter: wrk -> nginx (uwsgi_pass) -> uWSGI's fastrouter      vs  wrk -> nginx -> corerouter's fastrouter
#                                          -> uwsgi node (--socket)
#   rawrouter:  wrk -> uWSGI's rawrouter | HAProxy (mode tcp) | corerouter's rawrouter -> uwsgi --http-socket
# Each router gets a warm-up (WARMUP seconds, default 10), then one measured wrk run per round (ROUNDS,
# default 1, the routers taking turns); the script prints the medians of requests/s, p99 latency and
# CPU time per request of the router process(es) (utime+stime from /proc), then the ratios per round.
#
# Usage: bench/wrk-fast.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   ROUNDS (default 1), COREROUTER_PROCESSES (default: CPU cores), UWSGI_ROUTER_PROCESSES (default 1,
#        uWSGI's default), WARMUP (seconds, default 10), RAWROUTER_SPLICE=1 (our rawrouter with --rawrouter-splice)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-64}"
source "$root/bench/lib.sh"
ours_procs="${COREROUTER_PROCESSES:-$(nproc)}"
uwsgi_procs="${UWSGI_ROUTER_PROCESSES:-1}"

uwsgi_node=$(free_port); http_node=$(free_port)
u_fast=$(free_port); o_fast=$(free_port); ngx_u=$(free_port); ngx_o=$(free_port)
u_raw=$(free_port); o_raw=$(free_port); hap=$(free_port)

# backends: one speaks uwsgi (for the fastrouters), one HTTP (for the raw relays)
uwsgi --master --socket "127.0.0.1:$uwsgi_node" --processes 2 --route-run return:200 --disable-logging \
  >"$work/node.log" 2>&1 &
pids+=($!)
uwsgi --master --http-socket "127.0.0.1:$http_node" --processes 2 --route-run return:200 --disable-logging \
  >"$work/http-node.log" 2>&1 &
pids+=($!)

# the routers under test
uwsgi --plugin fastrouter --master --fastrouter "127.0.0.1:$u_fast" --fastrouter-to "127.0.0.1:$uwsgi_node" \
  --fastrouter-processes "$uwsgi_procs" --disable-logging >"$work/uwsgi-fastrouter.log" 2>&1 &
u_fast_pid=$!; pids+=($u_fast_pid)
uwsgi --plugin rawrouter --master --rawrouter "127.0.0.1:$u_raw" --rawrouter-to "127.0.0.1:$http_node" \
  --rawrouter-processes "$uwsgi_procs" --disable-logging >"$work/uwsgi-rawrouter.log" 2>&1 &
u_raw_pid=$!; pids+=($u_raw_pid)
java $java_opts -jar "$jar" --fastrouter "127.0.0.1:$o_fast" --fastrouter-to "127.0.0.1:$uwsgi_node" \
  --fastrouter-processes "$ours_procs" --rawrouter "127.0.0.1:$o_raw" --rawrouter-to "127.0.0.1:$http_node" \
  --rawrouter-processes "$ours_procs" ${RAWROUTER_SPLICE:+--rawrouter-splice} >"$work/corerouter.log" 2>&1 &
ours_pid=$!; term_pids+=($ours_pid)
cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend raw
  bind 127.0.0.1:$hap
  default_backend node
backend node
  server n1 127.0.0.1:$http_node
CFG
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
hap_pid=$!; term_pids+=($hap_pid)

# nginx in front of both fastrouters, one server each; its own prefix, no daemon
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
  server { listen 127.0.0.1:$ngx_u; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$u_fast; } }
  server { listen 127.0.0.1:$ngx_o; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$o_fast; } }
}
CFG
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
pids+=($!)
for p in "$uwsgi_node" "$http_node" "$u_fast" "$o_fast" "$u_raw" "$o_raw" "$hap" "$ngx_u" "$ngx_o"; do wait_port "$p"; done

for round in $(seq 1 "$rounds"); do
  wrk_measure "$round" uwsgi-fastrouter "$u_fast_pid" "$ngx_u"
  wrk_measure "$round" corerouter-fast "$ours_pid" "$ngx_o"
  wrk_measure "$round" uwsgi-rawrouter "$u_raw_pid" "$u_raw"
  wrk_measure "$round" haproxy-tcp "$hap_pid" "$hap"
  wrk_measure "$round" corerouter-raw "$ours_pid" "$o_raw"
done
echo "(router processes: corerouter $ours_procs event loops, uWSGI $uwsgi_procs gateway process; HAProxy: its default threads)"
wrk_summary "corerouter-fast/uwsgi-fastrouter >=1.25 (fastrouter, behind nginx)" \
  "corerouter-raw/haproxy-tcp >=1.00 (rawrouter)" "corerouter-raw/uwsgi-rawrouter - (rawrouter)"
