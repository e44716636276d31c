#!/usr/bin/env bash
# Macro benchmark for the fastrouter and the rawrouter, in one run, against the same C-fast uWSGI
# backends (`--route-run return:200`, no Python in the path):
#   fastrouter: wrk -> nginx (uwsgi_pass) -> uWSGI's fastrouter      vs  wrk -> nginx -> corerouter's fastrouter
#                                          -> uwsgi node (--socket)
#   rawrouter:  wrk -> uWSGI's rawrouter | HAProxy (mode tcp) | corerouter's rawrouter -> uwsgi --http-socket
# Each router gets a warm-up (WARMUP seconds, default 10), then one measured wrk run; the script prints
# requests/s, p99 latency, CPU time per request of the router process(es) (utime+stime from /proc),
# then the ratios.
#
# Usage: bench/wrk-fast.sh [DURATION_SECONDS] [CONNECTIONS]
# Env:   COREROUTER_PROCESSES (default: CPU cores), UWSGI_ROUTER_PROCESSES (default 1, uWSGI's default),
#        WARMUP (seconds, default 10), RAWROUTER_SPLICE=1 (our rawrouter with --rawrouter-splice)
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

measure() { # name pid port -> prints "rps p99 cpu_us_per_req"
  local name=$1 pid=$2 port=$3
  wrk -t2 -c"$connections" -d"${WARMUP:-10}s" "http://127.0.0.1:$port/" >/dev/null   # warm-up (JIT, pools)
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/")
  after=$(cpu_ticks "$pid")
  local rps reqs p99 errors cpu_us
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  cpu_us=$(python3 -c "print(round(($after-$before)/$hz*1e6/max(1,$reqs),2))")
  echo "$name rps=$rps p99=$p99 cpu_us_per_req=$cpu_us requests=$reqs ${errors}" >&2
  echo "$rps $p99 $cpu_us"
}

read -r uf_rps uf_p99 uf_cpu < <(measure "nginx->uwsgi-fastrouter" "$u_fast_pid" "$ngx_u")
read -r of_rps of_p99 of_cpu < <(measure "nginx->corerouter-fastrouter" "$ours_pid" "$ngx_o")
read -r ur_rps ur_p99 ur_cpu < <(measure "uwsgi-rawrouter" "$u_raw_pid" "$u_raw")
read -r hp_rps hp_p99 hp_cpu < <(measure "haproxy-tcp" "$hap_pid" "$hap")
read -r or_rps or_p99 or_cpu < <(measure "corerouter-rawrouter" "$ours_pid" "$o_raw")

python3 - "$uf_rps" "$uf_p99" "$uf_cpu" "$of_rps" "$of_p99" "$of_cpu" "$ur_rps" "$ur_p99" "$ur_cpu" \
  "$hp_rps" "$hp_p99" "$hp_cpu" "$or_rps" "$or_p99" "$or_cpu" "$ours_procs" "$uwsgi_procs" <<'PY'
import sys
def ms(v):
    v = v.strip()
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)
a = sys.argv[1:]
rows = [("uwsgi-fastrouter", a[0:3]), ("corerouter-fast", a[3:6]), ("uwsgi-rawrouter", a[6:9]),
        ("haproxy-tcp", a[9:12]), ("corerouter-raw", a[12:15])]
print(f"{'router':<18} {'rps':>10} {'p99_ms':>8} {'cpu_us/req':>11}")
vals = {}
for name, (rps, p99, cpu) in rows:
    vals[name] = (float(rps), float(cpu))
    print(f"{name:<18} {float(rps):>10.0f} {ms(p99):>8.2f} {float(cpu):>11.2f}")
print(f"(router processes: corerouter {a[15]} event loops, uWSGI {a[16]} gateway process; HAProxy: its default threads)")
print(f"fastrouter: rps corerouter/uwsgi = {vals['corerouter-fast'][0]/vals['uwsgi-fastrouter'][0]:.2f} (target >= 1.25), "
      f"cpu/req = {vals['corerouter-fast'][1]/max(vals['uwsgi-fastrouter'][1],1e-9):.2f}")
print(f"rawrouter:  rps corerouter/haproxy = {vals['corerouter-raw'][0]/vals['haproxy-tcp'][0]:.2f} (target >= 1.00), "
      f"corerouter/uwsgi = {vals['corerouter-raw'][0]/vals['uwsgi-rawrouter'][0]:.2f}, "
      f"cpu/req vs haproxy = {vals['corerouter-raw'][1]/max(vals['haproxy-tcp'][1],1e-9):.2f}")
PY
