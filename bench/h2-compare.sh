#!/usr/bin/env bash
# HTTP/2 macro benchmark (issue 11): h2load against every router side by side, over TLS (h2 by ALPN)
# and cleartext (h2c by prior knowledge), all in front of the same tiny Python WSGI hello-world served
# by uWSGI nodes that differ only in their socket:
#   ours-puwsgi   corerouter --http2 -> pooled persistent node connections (--http-to puwsgi://,
#                 --puwsgi-socket node, --http-node-connections NODE_PROCESSES)
#   ours-uwsgi    corerouter --http2 -> classic uwsgi node (--http-to ADDR, --socket node): a node
#                 connection per request
#   nginx         listen ... ssl http2 / listen ... http2, uwsgi_pass to the same --socket node: a
#                 node connection per request (nginx has no keep-alive for uwsgi_pass)
#   haproxy       bind ... ssl alpn h2,http/1.1 / bind ... proto h2, mode http, http-reuse always
#                 -> the --http11-socket node (persistent, maxconn NODE_PROCESSES)
# Each router is one process (tree) with both listeners. Per round, every router and path in turn:
# one h2load run of DURATION seconds (-c CONNECTIONS -m STREAMS, -t H2LOAD_THREADS), after a WARMUP
# (default 10 s) h2load run in round 1 only. Measured per run: rps (the requests h2load counted as
# succeeded, 2xx, over the run's duration),
# p50/p99 from h2load's --log-file (every request's latency, µs), errors (failed/errored/timeout
# requests and non-2xx statuses), router CPU µs per request (utime+stime of the router's process tree
# from /proc over the run, divided by the requests h2load finished), node CPU µs per request (the same
# for the uWSGI node master and workers) and the router's RSS (VmRSS of its processes) after the run.
# The summary gives medians over the rounds, per-round ratios against nginx and HAProxy, and a
# markdown table.
#
# After every h2load run the script waits until the listener answers 200 again and prints how long
# that took when it was over a second: at commit e28b33e the classic-node path (ours-uwsgi) marks its
# node failed for --http-gracetime (30 s) when h2load closes its connections with node connects in
# flight, and would otherwise answer the next run with 503s (docs/performance.md, HTTP/2 to clients).
#
# Before the rounds, the node alone is measured once: wrk over HTTP/1.1 keep-alive straight to the
# --http11-socket node, to show what the node and the box give without a router in between.
#
# Usage: bench/h2-compare.sh [DURATION_SECONDS=15] [CONNECTIONS=32] [STREAMS=10]
# Env:   ROUNDS (default 3), WARMUP (10), NODE_PROCESSES (uWSGI workers per node, default 16; also the
#        pooled routers' node connections), NODE_THREADS (1), COREROUTER_PROCESSES (CPU cores),
#        NGINX_WORKERS (CPU cores), HAPROXY_THREADS (CPU cores), H2LOAD_THREADS (1), COREROUTER_JAVA_OPTS,
#        ROUTERS (default "ours-puwsgi ours-uwsgi nginx haproxy"), PATHS (default "h2 h2c"),
#        PORT_BASE (default 23000: every listener takes the next free port from there up to PORT_BASE+999),
#        RESULTS_OUT (copy of the raw results), KEEP_LOGS (a directory to copy the routers' logs into)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-15}"
connections="${2:-32}"
streams="${3:-10}"
export ROUNDS="${ROUNDS:-3}"
source "$root/bench/lib.sh"
node_procs="${NODE_PROCESSES:-16}"
node_threads="${NODE_THREADS:-1}"
ours_procs="${COREROUTER_PROCESSES:-$(nproc)}"
routers="${ROUTERS:-ours-puwsgi ours-uwsgi nginx haproxy}"
paths="${PATHS:-h2 h2c}"
h2_threads="${H2LOAD_THREADS:-1}"
warmup="${WARMUP:-10}"

# ports from a fixed range (PORT_BASE..PORT_BASE+999), the next one that binds
next_port=${PORT_BASE:-23000}
free_port() {
  local p
  while [ "$next_port" -lt $(( ${PORT_BASE:-23000} + 1000 )) ]; do
    p=$next_port; next_port=$(( next_port + 1 ))
    if python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$p" \
        2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  echo "no free port in ${PORT_BASE:-23000}-$(( ${PORT_BASE:-23000} + 999 ))" >&2; return 1
}
# free_port runs in a subshell ($(free_port)): the counter is kept by the caller
take_port() { # variable
  local p
  p=$(free_port); next_port=$(( p + 1 )); printf -v "$1" '%s' "$p"
}

# the node: a WSGI hello-world, the same file for every node
cat >"$work/app.py" <<'PY'
def application(environ, start_response):
    body = b"Hello World\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
PY
openssl ecparam -genkey -name prime256v1 -out "$work/key.pem"
openssl req -x509 -key "$work/key.pem" -out "$work/crt.pem" -subj "/CN=bench.example" -days 2 2>/dev/null
cat "$work/crt.pem" "$work/key.pem" >"$work/haproxy.pem"

take_port n_uwsgi; take_port n_puwsgi; take_port n_http
declare -A node_pid
node() { # name socket-option port
  # --listen 1024: a node connection per request from 320 concurrent streams overflows uWSGI's
  # default backlog of 100 (dropped SYNs come back after TCP's 1 s retransmission timer)
  uwsgi --plugin python3 --master "$2" "127.0.0.1:$3" --listen 1024 --processes "$node_procs" \
    --threads "$node_threads" --wsgi-file "$work/app.py" --disable-logging >"$work/node-$1.log" 2>&1 &
  node_pid[$1]=$!; pids+=($!)
}
node uwsgi --socket "$n_uwsgi"
node puwsgi --puwsgi-socket "$n_puwsgi"
node http --http11-socket "$n_http"

# TLS parity: nginx 1.22 (Debian 12) offers TLS 1.3 only when told to, and OpenSSL servers (nginx,
# HAProxy) prefer AES-256-GCM where BoringSSL (ours) picks AES-128-GCM; all three get TLS 1.3 with
# this order (what each one negotiated is printed from h2load's output after the rounds)
tls13_suites="TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

declare -A port pid nodeof
for r in $routers; do
  for p in $paths; do take_port tmp_port; port[$r-$p]=$tmp_port; done
done
listen_ours() { # router: --https and/or --http listeners
  local r=$1 args=()
  for p in $paths; do
    case $p in
      h2) args+=(--https "127.0.0.1:${port[$r-h2]},$work/crt.pem,$work/key.pem") ;;
      h2c) args+=(--http "127.0.0.1:${port[$r-h2c]}") ;;
    esac
  done
  printf '%s\n' "${args[@]}"
}
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user root;"
for r in $routers; do
  case $r in
    ours-puwsgi)
      mapfile -t listeners < <(listen_ours "$r")
      java $java_opts -jar "$jar" "${listeners[@]}" --http2 --http-to "puwsgi://127.0.0.1:$n_puwsgi" \
        --http-keepalive --http-processes "$ours_procs" --http-node-connections "$(( node_procs * node_threads ))" \
        >"$work/$r.log" 2>&1 &
      pid[$r]=$!; term_pids+=($!); nodeof[$r]=puwsgi ;;
    ours-uwsgi)
      mapfile -t listeners < <(listen_ours "$r")
      java $java_opts -jar "$jar" "${listeners[@]}" --http2 --http-to "127.0.0.1:$n_uwsgi" \
        --http-keepalive --http-processes "$ours_procs" >"$work/$r.log" 2>&1 &
      pid[$r]=$!; term_pids+=($!); nodeof[$r]=uwsgi ;;
    nginx)
      mkdir -p "$work/nginx"
      servers=""
      for p in $paths; do
        case $p in
          h2) servers+="server { listen 127.0.0.1:${port[nginx-h2]} ssl http2; ssl_certificate $work/crt.pem;
                ssl_protocols TLSv1.2 TLSv1.3; ssl_conf_command Ciphersuites $tls13_suites;
                ssl_certificate_key $work/key.pem; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$n_uwsgi; } }
" ;;
          h2c) servers+="server { listen 127.0.0.1:${port[nginx-h2c]} http2;
                location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$n_uwsgi; } }
" ;;
        esac
      done
      cat >"$work/nginx/nginx.conf" <<CFG
$user_line
worker_processes ${NGINX_WORKERS:-$(nproc)};
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx ends an HTTP/2 connection with GOAWAY after keepalive_requests (1000) streams by default: h2load
  # counts the streams it had queued as failed and reconnects (a TLS handshake every 1000 requests);
  # the other routers have no such limit
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  $servers
}
CFG
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
      pid[$r]=$!; pids+=($!); nodeof[$r]=uwsgi ;;
    haproxy)
      {
        echo "global"
        echo "  maxconn 4096"
        echo "  nbthread ${HAPROXY_THREADS:-$(nproc)}"
        echo "  ssl-default-bind-ciphersuites $tls13_suites"
        echo "defaults"
        echo "  mode http"
        echo "  timeout connect 5s"
        echo "  timeout client 60s"
        echo "  timeout server 60s"
        echo "  timeout queue 10s"
        echo "  http-reuse always"
        for p in $paths; do
          echo "frontend f-$p"
          case $p in
            h2) echo "  bind 127.0.0.1:${port[haproxy-h2]} ssl crt $work/haproxy.pem alpn h2,http/1.1" ;;
            h2c) echo "  bind 127.0.0.1:${port[haproxy-h2c]} proto h2" ;;
          esac
          echo "  default_backend node"
        done
        echo "backend node"
        echo "  server n1 127.0.0.1:$n_http maxconn $(( node_procs * node_threads ))"
      } >"$work/haproxy.cfg"
      haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
      pid[$r]=$!; term_pids+=($!); nodeof[$r]=http ;;
    *) echo "unknown router $r (expected: ours-puwsgi ours-uwsgi nginx haproxy)" >&2; exit 2 ;;
  esac
done

wait_port "$n_uwsgi"; wait_port "$n_puwsgi"; wait_port "$n_http"
for k in "${!port[@]}"; do wait_port "${port[$k]}"; done
# wait_ok ROUTER PATH [NOTE]: until the listener answers a request with 200 over HTTP/2 (60 s at most).
# Also run after every h2load run: when h2load stops, it closes its connections with streams in
# flight, and a router that takes that for a node failure (marks the node failed for its gracetime)
# would answer the next run with fast 503s; the wait, and how long it took, is printed.
wait_ok() {
  local r=$1 p=$2 url start waited
  url="http://127.0.0.1:${port[$r-$p]}/"; [ "$p" = h2 ] && url="https://127.0.0.1:${port[$r-$p]}/"
  start=$(date +%s.%N)
  for _ in $(seq 1 600); do
    if nghttp -v "$url" 2>&1 | grep -q ':status: 200'; then
      waited=$(python3 -c "print(round($(date +%s.%N)-$start,1))")
      if python3 -c "import sys; sys.exit(0 if $waited > 1 else 1)"; then
        echo "  $r-$p answered 200 again only after $waited s ${3:-}" >&2
        echo "$r-$p $waited ${3:-}" >>"$work/recoveries"
      fi
      return 0
    fi
    sleep 0.1
  done
  echo "$r $p ($url) never answered 200 over HTTP/2" >&2; nghttp -v "$url" >&2 || true; exit 1
}
for r in $routers; do
  for p in $paths; do wait_ok "$r" "$p"; done
done
: >"$work/recoveries"

# the node alone: HTTP/1.1 keep-alive straight to the http11 node (an upper bound on what the routers
# can get out of the node on this machine)
wrk -t1 -c"$node_procs" -d"$(( warmup < 5 ? warmup : 5 ))s" "http://127.0.0.1:$n_http/" >/dev/null
node_before=$(cpu_ticks "${node_pid[http]}")
node_out=$(wrk -t1 -c"$node_procs" -d"${duration}s" --latency "http://127.0.0.1:$n_http/")
node_after=$(cpu_ticks "${node_pid[http]}")
node_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$node_out")
node_reqs=$(awk '/requests in/ {print $1}' <<<"$node_out")
node_cpu=$(python3 -c "print(round(($node_after-$node_before)/$hz*1e6/max(1,$node_reqs),1))")
echo "node alone (wrk -t1 -c$node_procs HTTP/1.1 keep-alive to the --http11-socket node): $node_rps rps," \
  "node CPU $node_cpu µs/request" >&2

# a router that died (crashed, or killed from outside: the machine is shared) stops the script loudly
# rather than measuring a refused connection as 0 rps
alive() { # router
  if ! kill -0 "${pid[$1]}" 2>/dev/null; then
    local rc=0; wait "${pid[$1]}" 2>/dev/null || rc=$?
    echo "router $1 (pid ${pid[$1]}) is gone (exit status $rc); its log:" >&2
    tail -20 "$work/$1.log" "$work/$1/error.log" 2>/dev/null >&2 || true
    exit 1
  fi
}

# h2_measure ROUND ROUTER PATH: appends "ROUND NAME rps p50_ms p99_ms cpu_us node_cpu_us rss_kb errors"
h2_measure() {
  local round=$1 r=$2 p=$3 name="$2-$3" url
  url="http://127.0.0.1:${port[$r-$p]}/"; [ "$p" = h2 ] && url="https://127.0.0.1:${port[$r-$p]}/"
  local opts=(-t "$h2_threads" -c "$connections" -m "$streams")
  alive "$r"
  if [ "$round" -eq 1 ]; then
    h2load "${opts[@]}" -D "$warmup" "$url" >"$work/warmup-$name.txt" 2>&1 || true   # JIT, pools, TLS sessions
    wait_ok "$r" "$p" "(after the warm-up run)"
  fi
  local before after nbefore nafter out
  rm -f "$work/h2.log"
  before=$(cpu_ticks "${pid[$r]}"); nbefore=$(cpu_ticks "${node_pid[${nodeof[$r]}]}")
  out=$(h2load "${opts[@]}" -D "$duration" --log-file="$work/h2.log" "$url" 2>&1) || true
  after=$(cpu_ticks "${pid[$r]}"); nafter=$(cpu_ticks "${node_pid[${nodeof[$r]}]}")
  echo "$out" >"$work/run-$round-$name.txt"
  wait_ok "$r" "$p" "(after measured run $round)"
  alive "$r"
  local rss
  rss=$(rss_kb "${pid[$r]}")
  python3 - "$round" "$name" "$work/h2.log" "$((after - before))" "$((nafter - nbefore))" "$hz" "$rss" \
    "$results" "$work/run-$round-$name.txt" <<'PY'
import re, sys
rnd, name, log, ticks, nticks, hz, rss, results, outfile = sys.argv[1:10]
out = open(outfile).read()
m = re.search(r"finished in ([0-9.]+)(m?s), ([0-9.]+) req/s", out)
secs = (float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)) if m else 1.0
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
              r"(\d+) errored, (\d+) timeout", out)
done, ok, failed, errored, timeout = (int(m.group(i)) for i in (3, 4, 5, 6, 7)) if m else (0, 0, 0, 0, 0)
rps = ok / secs   # succeeded (2xx) requests only: fast 503s are not throughput
m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
non2xx = sum(int(m.group(i)) for i in (2, 3, 4)) if m else 0
lat, bad = [], 0
for line in open(log):
    f = line.split()
    if len(f) >= 3:
        lat.append(int(f[2]))
        if not f[1].startswith("2"):
            bad += 1
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000 if lat else float("nan")
n = max(1, done)
cpu = int(ticks) / int(hz) * 1e6 / n
ncpu = int(nticks) / int(hz) * 1e6 / n
errors = failed + errored + timeout + non2xx
print(f"round {rnd}: {name} rps={rps:.0f} p50={pct(0.5):.2f}ms p99={pct(0.99):.2f}ms cpu_us_per_req={cpu:.1f} "
      f"node_cpu_us_per_req={ncpu:.1f} rss_mb={int(rss)/1024:.1f} done={done} logged={len(lat)} failed={failed} "
      f"errored={errored} timeout={timeout} non2xx={non2xx}", file=sys.stderr)
with open(results, "a") as r:
    r.write(f"{rnd} {name} {rps:.1f} {pct(0.5):.3f} {pct(0.99):.3f} {cpu:.2f} {ncpu:.2f} {rss} {errors}\n")
PY
  if grep -qE '[1-9][0-9]* (failed|errored|timeout)|[1-9][0-9]* [345]xx' <<<"$(grep -E '^(requests|status codes):' <<<"$out")"; then
    grep -E '^(requests|status codes):' <<<"$out" | sed "s/^/  $name: /" >&2
  fi
}

for round in $(seq 1 "$rounds"); do
  for p in $paths; do
    for r in $routers; do
      h2_measure "$round" "$r" "$p"
    done
  done
done

if [ -n "${KEEP_LOGS:-}" ]; then
  mkdir -p "$KEEP_LOGS"; cp -r "$work"/*.log "$work"/run-*.txt "$work"/warmup-*.txt "$work/nginx" "$KEEP_LOGS"/ 2>/dev/null || true
fi
echo "(h2load -t$h2_threads -c$connections -m$streams, ${duration} s per run, ${warmup} s warm-up per router and path in round 1;"
echo " corerouter: $ours_procs event loops, pool of $(( node_procs * node_threads )) node connections; nginx: ${NGINX_WORKERS:-$(nproc)} workers;"
echo " HAProxy: ${HAPROXY_THREADS:-$(nproc)} threads, maxconn $(( node_procs * node_threads )) to the node; nodes: $node_procs processes x $node_threads thread(s);"
echo " node alone: $node_rps rps at $node_cpu µs node CPU per request; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $routers; do
  [ -f "$work/run-1-$r-h2.txt" ] || continue
  echo "$r-h2: $(grep -E '^(TLS Protocol|Cipher|Server Temp Key|Application protocol):' "$work/run-1-$r-h2.txt" \
    | sed 's/^[^:]*: //' | tr '\n' ' ')"
done
python3 - "$results" "$paths" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
paths = sys.argv[2].split()
data = {(int(r[0]), r[1]): dict(rps=float(r[2]), p50=float(r[3]), p99=float(r[4]), cpu=float(r[5]),
                                 ncpu=float(r[6]), rss=int(r[7]), err=int(r[8])) for r in rows}
names = list(dict.fromkeys(r[1] for r in rows))
rounds = sorted({int(r[0]) for r in rows})
med = lambda n, k: statistics.median(data[(i, n)][k] for i in rounds if (i, n) in data)
print(f"{'router-path':<18} {'rps':>8} {'p50 ms':>7} {'p99 ms':>7} {'cpu µs/req':>10} {'node µs/req':>11} "
      f"{'RSS MB':>7} {'errors':>7}   (medians of {len(rounds)} round(s); errors summed)")
for n in names:
    err = sum(data[(i, n)]["err"] for i in rounds if (i, n) in data)
    print(f"{n:<18} {med(n,'rps'):>8.0f} {med(n,'p50'):>7.2f} {med(n,'p99'):>7.2f} {med(n,'cpu'):>10.1f} "
          f"{med(n,'ncpu'):>11.1f} {med(n,'rss')/1024:>7.1f} {err:>7}")
def ratio(a, b, k):
    rs = [data[(i, a)][k] / data[(i, b)][k] for i in rounds if (i, a) in data and (i, b) in data and data[(i, b)][k] > 0]
    return (statistics.median(rs), rs) if rs else (None, [])
fmt = lambda t: "-" if t[0] is None else f"{t[0]:.2f} ({' '.join(f'{x:.2f}' for x in t[1])})"
goals = {"ours-puwsgi": ">= 1.25", "ours-uwsgi": ">= 1.0"}
lines = []
for p in paths:
    for ours in ("ours-puwsgi", "ours-uwsgi"):
        for peer in ("nginx", "haproxy"):
            a, b = f"{ours}-{p}", f"{peer}-{p}"
            if not any((i, a) in data for i in rounds) or not any((i, b) in data for i in rounds):
                continue
            goal = f"; goal {goals[ours]}" if peer == "nginx" else ""
            print(f"{a}/{b}: rps {fmt(ratio(a, b, 'rps'))}{goal}, cpu/req {fmt(ratio(a, b, 'cpu'))}, "
                  f"p99 {fmt(ratio(a, b, 'p99'))}")
# markdown for the README / docs
print()
print("| path | router → node | rps | p99 ms | router CPU µs/req | RSS MB | rps vs nginx | CPU/req vs nginx | rps vs HAProxy | CPU/req vs HAProxy |")
print("|---|---|---|---|---|---|---|---|---|---|")
label = {"ours-puwsgi": "corerouter → puwsgi pool", "ours-uwsgi": "corerouter → uwsgi (conn/request)",
         "nginx": "nginx `uwsgi_pass` (conn/request)", "haproxy": "HAProxy → http11, `http-reuse always`"}
plabel = {"h2": "h2 (TLS)", "h2c": "h2c"}
for p in paths:
    for r in ("ours-puwsgi", "ours-uwsgi", "nginx", "haproxy"):
        n = f"{r}-{p}"
        if n not in names:
            continue
        cells = []
        for peer in ("nginx", "haproxy"):
            for k in ("rps", "cpu"):
                t = ratio(n, f"{peer}-{p}", k) if f"{peer}-{p}" in names and r != peer else (None, [])
                cells.append("-" if t[0] is None else f"{t[0]:.2f}x")
        err = sum(data[(i, n)]["err"] for i in rounds if (i, n) in data)
        print(f"| {plabel[p]} | {label[r]} | {med(n,'rps'):.0f} | {med(n,'p99'):.1f} | {med(n,'cpu'):.1f} | "
              f"{med(n,'rss')/1024:.0f} | " + " | ".join(cells) + " |" + (f" <!-- {err} errors -->" if err else ""))
PY
if [ -s "$work/recoveries" ]; then
  echo
  echo "listeners that answered 200 only after a wait following an h2load run (seconds):"
  sed 's/^/  /' "$work/recoveries"
fi
[ -n "${RESULTS_OUT:-}" ] && cp "$results" "$RESULTS_OUT"
exit 0
