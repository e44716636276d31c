#!/usr/bin/env bash
# Macro benchmark of persistent node connections (issue 10), every router side by side in one run,
# against C-fast uWSGI nodes (`--route-run return:200`, no Python in the path) that differ only in
# the socket they serve:
#   corerouter HTTP router -> puwsgi pool   (--http-to puwsgi://, --puwsgi-socket node)
#   corerouter HTTP router -> HTTP pool     (--http-to http://,   --http11-socket node)
#   corerouter HTTP router -> uwsgi         (--http-to ADDR,      --socket node: one connection per request)
#   uWSGI's http router    -> uwsgi         (--socket node)
#   nginx proxy_pass + upstream keepalive   -> --http11-socket node
#   HAProxy mode http, http-reuse always    -> --http11-socket node
#   nginx uwsgi_pass -> corerouter fastrouter -> puwsgi pool   vs   nginx -> uWSGI's fastrouter -> uwsgi
# Routers take turns (ROUNDS), each gets a WARMUP (default 10 s) before its first measured run; the
# summary gives medians of rps, p99 and router CPU µs per request, and per-round ratios.
#
# Every node has NODE_PROCESSES workers (default 16) and CONNECTIONS <= NODE_PROCESSES: a uWSGI worker
# serves one kept connection at a time, so a proxy that opens more connections than the node has
# workers stalls on the extra ones (nginx has no queue for that; ours and HAProxy's cap and queue).
# The pooled routers and HAProxy cap their node connections at NODE_PROCESSES.
#
# Usage: bench/pool-compare.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   ROUNDS (default 1), WARMUP, NODE_PROCESSES, COREROUTER_PROCESSES (default: CPU cores),
#        UWSGI_ROUTER_PROCESSES (default 1, uWSGI's default), COREROUTER_JAVA_OPTS
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-16}"
source "$root/bench/lib.sh"
node_procs="${NODE_PROCESSES:-16}"
ours_procs="${COREROUTER_PROCESSES:-$(nproc)}"
uwsgi_procs="${UWSGI_ROUTER_PROCESSES:-1}"
if [ "$connections" -gt "$node_procs" ]; then
  echo "CONNECTIONS ($connections) > NODE_PROCESSES ($node_procs): nginx would stall on uWSGI's kept connections" >&2
  exit 2
fi

n_uwsgi=$(free_port); n_puwsgi=$(free_port); n_http=$(free_port)
o_puwsgi=$(free_port); o_http=$(free_port); o_uwsgi=$(free_port); u_http=$(free_port)
ngx_keep=$(free_port); hap=$(free_port)
o_fast=$(free_port); u_fast=$(free_port); ngx_o=$(free_port); ngx_u=$(free_port)

node() { # socket-option port
  uwsgi --master "$1" "127.0.0.1:$2" --processes "$node_procs" --route-run return:200 --disable-logging \
    >"$work/node-$2.log" 2>&1 &
  pids+=($!)
}
node --socket "$n_uwsgi"; node --puwsgi-socket "$n_puwsgi"; node --http11-socket "$n_http"

ours() { # args...
  java $java_opts -jar "$jar" "$@" >>"$work/corerouter.log" 2>&1 &
  term_pids+=($!)
}
ours --http "127.0.0.1:$o_puwsgi" --http-to "puwsgi://127.0.0.1:$n_puwsgi" --http-keepalive \
  --http-processes "$ours_procs" --http-node-connections "$node_procs"
o_puwsgi_pid=$!
ours --http "127.0.0.1:$o_http" --http-to "http://127.0.0.1:$n_http" --http-keepalive \
  --http-processes "$ours_procs" --http-node-connections "$node_procs"
o_http_pid=$!
ours --http "127.0.0.1:$o_uwsgi" --http-to "127.0.0.1:$n_uwsgi" --http-keepalive --http-processes "$ours_procs"
o_uwsgi_pid=$!
ours --fastrouter "127.0.0.1:$o_fast" --fastrouter-to "puwsgi://127.0.0.1:$n_puwsgi" \
  --fastrouter-processes "$ours_procs" --fastrouter-node-connections "$node_procs"
o_fast_pid=$!

uwsgi --plugin http --master --http "127.0.0.1:$u_http" --http-to "127.0.0.1:$n_uwsgi" --http-keepalive \
  --http-processes "$uwsgi_procs" --disable-logging >"$work/uwsgi-http.log" 2>&1 &
u_http_pid=$!; pids+=($u_http_pid)
uwsgi --plugin fastrouter --master --fastrouter "127.0.0.1:$u_fast" --fastrouter-to "127.0.0.1:$n_uwsgi" \
  --fastrouter-processes "$uwsgi_procs" --disable-logging >"$work/uwsgi-fastrouter.log" 2>&1 &
u_fast_pid=$!; pids+=($u_fast_pid)

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout queue 10s
  http-reuse always
frontend f
  bind 127.0.0.1:$hap
  default_backend node
backend node
  server n1 127.0.0.1:$n_http maxconn $node_procs
CFG
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
hap_pid=$!; term_pids+=($hap_pid)

# nginx: upstream keep-alive to the http11 node (its own process, so its CPU is its own), and one
# more in front of both fastrouters (not measured: its cost is the same for both)
for name in keep front; do mkdir -p "$work/nginx-$name"; done
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user root;"
nginx_conf() { # name servers
  cat >"$work/nginx-$1/nginx.conf" <<CFG
$user_line
worker_processes ${NGINX_WORKERS:-$ours_procs};
error_log $work/nginx-$1/error.log;
pid $work/nginx-$1/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$1/body; proxy_temp_path $work/nginx-$1/proxy; fastcgi_temp_path $work/nginx-$1/fcgi;
  uwsgi_temp_path $work/nginx-$1/uwsgi; scgi_temp_path $work/nginx-$1/scgi;
  $2
}
CFG
  nginx -p "$work/nginx-$1" -c "$work/nginx-$1/nginx.conf" -g 'daemon off;' >"$work/nginx-$1/out.log" 2>&1 &
  pids+=($!)
}
nginx_conf keep "upstream node { server 127.0.0.1:$n_http; keepalive $node_procs; }
  server { listen 127.0.0.1:$ngx_keep; location / { proxy_pass http://node; proxy_http_version 1.1;
    proxy_set_header Connection \"\"; } }"
ngx_keep_pid=$!
nginx_conf front "server { listen 127.0.0.1:$ngx_o; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$o_fast; } }
  server { listen 127.0.0.1:$ngx_u; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$u_fast; } }"

for p in "$n_uwsgi" "$n_puwsgi" "$n_http" "$o_puwsgi" "$o_http" "$o_uwsgi" "$o_fast" "$u_http" "$u_fast" "$hap" \
    "$ngx_keep" "$ngx_o" "$ngx_u"; do
  wait_port "$p"
done

for round in $(seq 1 "$rounds"); do
  wrk_measure "$round" ours-puwsgi "$o_puwsgi_pid" "$o_puwsgi"
  wrk_measure "$round" ours-http "$o_http_pid" "$o_http"
  wrk_measure "$round" ours-uwsgi "$o_uwsgi_pid" "$o_uwsgi"
  wrk_measure "$round" uwsgi-http "$u_http_pid" "$u_http"
  wrk_measure "$round" nginx-keepalive "$ngx_keep_pid" "$ngx_keep"
  wrk_measure "$round" haproxy-reuse "$hap_pid" "$hap"
  wrk_measure "$round" ours-fast-puwsgi "$o_fast_pid" "$ngx_o"
  wrk_measure "$round" uwsgi-fastrouter "$u_fast_pid" "$ngx_u"
done
echo "(corerouter: $ours_procs event loops; uWSGI routers: $uwsgi_procs process; nginx: ${NGINX_WORKERS:-$ours_procs} workers;"
echo " HAProxy: its default threads; nodes: $node_procs workers; wrk -c$connections)"
wrk_summary "ours-puwsgi/uwsgi-http >=1.5 (target cpu/req <= 0.70)" \
  "ours-http/uwsgi-http >=1.5 (target cpu/req <= 0.70)" \
  "ours-puwsgi/nginx-keepalive >=1.0 (HTTP router with a pool vs nginx keepalive)" \
  "ours-puwsgi/haproxy-reuse >=1.0 (HTTP router with a pool vs HAProxy http-reuse)" \
  "ours-http/nginx-keepalive >=1.0 (HTTP pool vs nginx keepalive)" \
  "ours-http/haproxy-reuse >=1.0 (HTTP pool vs HAProxy http-reuse)" \
  "ours-uwsgi/uwsgi-http - (no pool: today's path)" \
  "ours-fast-puwsgi/uwsgi-fastrouter >=1.25 (fastrouter behind nginx, router CPU only)"
