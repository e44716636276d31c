#!/usr/bin/env bash
# Tail latency at fixed request rates (issue 14), every router side by side in one run, in front of
# C-fast uWSGI nodes (`--route-run return:200`) that differ only in their socket:
#   ours-uwsgi   corerouter HTTP router -> uwsgi node (--socket: a node connection per request)
#   ours-puwsgi  corerouter HTTP router -> puwsgi pool (--puwsgi-socket node)
#   uwsgi-http   uWSGI's http router     -> the same uwsgi node
#   nginx        nginx uwsgi_pass        -> the same uwsgi node
# All with keep-alive clients. Per round, each router in turn (a WARMUP of 10 s before its first run):
#   sat   wrk -t2 -c CONNECTIONS, closed loop: rps, p99, router CPU µs per request
#   r50   50% of uWSGI's http router peak (its `sat` rps in round 1), open loop
#   r80   80% of that peak, open loop
# The open-loop runs use bench's FixedRateClient (java, HdrHistogram): requests go out on schedule
# whatever the router does and latency counts from the due time (corrected for coordinated omission;
# h2load --rps sends a request late when its connection is busy and times it from the send, and
# reports percentiles only through --log-file). Our routers run with -Xlog:gc; the largest GC pause
# during each r80 run is printed.
#
# Usage: bench/latency-compare.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
# Env:   FIXED_CONNECTIONS (client connections of the open-loop runs, default 128: with HTTP/1.1 one
#        request at a time per connection, a few connections would queue behind one slow response as a
#        closed loop does), ROUNDS (default 1), WARMUP, NODE_PROCESSES (16), COREROUTER_PROCESSES (default: CPU cores),
#        UWSGI_ROUTER_PROCESSES (1, uWSGI's default), NGINX_WORKERS (CPU cores), COREROUTER_JAVA_OPTS,
#        ROUTERS (default "ours-uwsgi ours-puwsgi uwsgi-http nginx")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
connections="${2:-32}"
fixed_connections="${FIXED_CONNECTIONS:-128}"
source "$root/bench/lib.sh"
node_procs="${NODE_PROCESSES:-16}"
ours_procs="${COREROUTER_PROCESSES:-$(nproc)}"
uwsgi_procs="${UWSGI_ROUTER_PROCESSES:-1}"
routers="${ROUTERS:-ours-uwsgi ours-puwsgi uwsgi-http nginx}"
bench_jar="$root/bench/target/benchmarks.jar"
[ -f "$bench_jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl bench -am package)

n_uwsgi=$(free_port); n_puwsgi=$(free_port)
# --listen 1024: uWSGI's default backlog of 100 overflows when more than 100 client requests are in
# flight at once (a connection per request to the node): dropped SYNs come back after 1 s, which would
# measure TCP's retransmission timer, not the router
uwsgi --master --socket "127.0.0.1:$n_uwsgi" --listen 1024 --processes "$node_procs" --route-run return:200 \
  --disable-logging >"$work/node-uwsgi.log" 2>&1 &
pids+=($!)
uwsgi --master --puwsgi-socket "127.0.0.1:$n_puwsgi" --listen 1024 --processes "$node_procs" --route-run return:200 \
  --disable-logging >"$work/node-puwsgi.log" 2>&1 &
pids+=($!)

declare -A port pid
port[ours-uwsgi]=$(free_port); port[ours-puwsgi]=$(free_port); port[uwsgi-http]=$(free_port); port[nginx]=$(free_port)
java $java_opts -Xlog:gc:file="$work/gc-ours-uwsgi.log" -jar "$jar" --http "127.0.0.1:${port[ours-uwsgi]}" \
  --http-to "127.0.0.1:$n_uwsgi" --http-keepalive --http-processes "$ours_procs" >"$work/ours-uwsgi.log" 2>&1 &
pid[ours-uwsgi]=$!; term_pids+=($!)
java $java_opts -Xlog:gc:file="$work/gc-ours-puwsgi.log" -jar "$jar" --http "127.0.0.1:${port[ours-puwsgi]}" \
  --http-to "puwsgi://127.0.0.1:$n_puwsgi" --http-keepalive --http-processes "$ours_procs" \
  --http-node-connections "$node_procs" >"$work/ours-puwsgi.log" 2>&1 &
pid[ours-puwsgi]=$!; term_pids+=($!)
uwsgi --plugin http --master --http "127.0.0.1:${port[uwsgi-http]}" --http-to "127.0.0.1:$n_uwsgi" --http-keepalive \
  --http-processes "$uwsgi_procs" --disable-logging >"$work/uwsgi-http.log" 2>&1 &
pid[uwsgi-http]=$!; pids+=($!)
mkdir -p "$work/nginx"
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CFG
$user_line
worker_processes ${NGINX_WORKERS:-$(nproc)};
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:${port[nginx]}; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:$n_uwsgi; } }
}
CFG
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
pid[nginx]=$!; pids+=($!)

for p in "$n_uwsgi" "$n_puwsgi" "${port[@]}"; do
  wait_port "$p"
done

# fixed_measure ROUND NAME KIND RATE: one open-loop run; appends "ROUND NAME KIND rate p50 p99 p999 cpu_us"
# (latencies in µs) to $results
fixed_measure() {
  local round=$1 name=$2 kind=$3 rate=$4 before after out gc_before
  before=$(cpu_ticks "${pid[$name]}")
  gc_before=0
  [ -f "$work/gc-$name.log" ] && gc_before=$(wc -l <"$work/gc-$name.log")
  out=$(java -XX:+UseSerialGC -Xmn64m -cp "$bench_jar" io.corerouter.bench.FixedRateClient \
    "127.0.0.1:${port[$name]}" "$rate" "$fixed_connections" 2 "$duration")
  after=$(cpu_ticks "${pid[$name]}")
  local -A kv
  for f in $out; do kv[${f%%=*}]=${f#*=}; done
  local cpu_us gc="gc_max_ms=-"
  cpu_us=$(python3 -c "print(round(($after-$before)/$hz*1e6/max(1,${kv[requests]}),2))")
  if [ -f "$work/gc-$name.log" ]; then
    gc=$(tail -n +"$((gc_before + 1))" "$work/gc-$name.log" | python3 -c '
import re, sys
p = [float(m.group(1)) for m in (re.search(r"([0-9.]+)ms$", l.strip()) for l in sys.stdin) if m]
print(f"gc_pauses={len(p)} gc_max_ms={max(p) if p else 0:.3f}")')
  fi
  echo "round $round: $name $kind $out cpu_us_per_req=$cpu_us $gc" >&2
  echo "$round $name $kind ${kv[rate]} ${kv[p50]} ${kv[p99]} ${kv[p999]} $cpu_us ${kv[errors]} ${gc##*=}" >>"$results"
}

# sat_measure ROUND NAME: wrk closed loop; appends "ROUND NAME sat rps - p99 - cpu_us"
sat_measure() {
  local round=$1 name=$2
  wrk_measure "$round" "$name" "${pid[$name]}" "${port[$name]}"
  local last r n rps p99 cpu
  last=$(tail -1 "$results") # wrk_measure wrote "round name rps p99 cpu"
  sed -i '$d' "$results"
  read -r r n rps p99 cpu <<<"$last"
  echo "$r $n sat $rps - $p99 - $cpu 0 -" >>"$results"
}

peak=""
for round in $(seq 1 "$rounds"); do
  if [ -z "$peak" ]; then # uWSGI's http router peak, the base of the fixed rates
    sat_measure "$round" uwsgi-http
    peak=$(awk '$2=="uwsgi-http" && $3=="sat" {print $4}' "$results" | tail -1)
    echo "uWSGI http router peak: $peak rps; fixed rates $(python3 -c "print(round($peak*0.5), round($peak*0.8))")" >&2
  fi
  for name in $routers; do
    [ "$round" -eq 1 ] && [ "$name" = uwsgi-http ] || sat_measure "$round" "$name"
    fixed_measure "$round" "$name" r50 "$(python3 -c "print(round($peak*0.5))")"
    fixed_measure "$round" "$name" r80 "$(python3 -c "print(round($peak*0.8))")"
  done
done

echo "(corerouter: $ours_procs event loops; uWSGI http router: $uwsgi_procs process; nginx: ${NGINX_WORKERS:-$(nproc)} workers;"
echo " nodes: $node_procs workers; wrk -c$connections, fixed rates over $fixed_connections keep-alive connections; uWSGI peak $peak rps; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$results" <<'PY'
import statistics, sys
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = list(dict.fromkeys(r[1] for r in rows))
get = {}
for r in rows:
    rnd, name, kind = int(r[0]), r[1], r[2]
    if kind == "sat":
        get[(rnd, name, kind)] = dict(rps=float(r[3]), p99=ms(r[5]), cpu=float(r[7]))
    else:
        get[(rnd, name, kind)] = dict(rps=float(r[3]), p50=int(r[4]) / 1000, p99=int(r[5]) / 1000,
                                      p999=int(r[6]) / 1000, cpu=float(r[7]), err=int(r[8]),
                                      gc=None if r[9] in ("-", "") else float(r[9]))
rounds = sorted({int(r[0]) for r in rows})
med = lambda name, kind, key: statistics.median(get[(k, name, kind)][key] for k in rounds if (k, name, kind) in get)
print(f"{'router':<12} {'sat rps':>8} {'sat p99':>8} {'cpu µs':>7} | {'r50 p50':>7} {'p99':>6} {'p99.9':>6} | "
      f"{'r80 p50':>7} {'p99':>6} {'p99.9':>6} {'max GC':>7}   (ms; medians of {len(rounds)} round(s))")
for n in names:
    gcs = [get[(k, n, 'r80')]['gc'] for k in rounds if (k, n, 'r80') in get and get[(k, n, 'r80')]['gc'] is not None]
    gc = f"{max(gcs):7.3f}" if gcs else "      -"
    print(f"{n:<12} {med(n,'sat','rps'):>8.0f} {med(n,'sat','p99'):>8.2f} {med(n,'sat','cpu'):>7.1f} | "
          f"{med(n,'r50','p50'):>7.2f} {med(n,'r50','p99'):>6.2f} {med(n,'r50','p999'):>6.2f} | "
          f"{med(n,'r80','p50'):>7.2f} {med(n,'r80','p99'):>6.2f} {med(n,'r80','p999'):>6.2f} {gc}")
errors = sum(v.get('err', 0) for v in get.values())
if errors:
    print(f"errors (non-2xx, lost or unanswered requests) in the fixed-rate runs: {errors}")
base = "uwsgi-http"
for n in names:
    if not n.startswith("ours"):
        continue
    def ratio(kind, key):
        rs = [get[(k, n, kind)][key] / get[(k, base, kind)][key] for k in rounds
              if (k, n, kind) in get and (k, base, kind) in get and get[(k, base, kind)][key] > 0]
        return f"{statistics.median(rs):.2f} ({' '.join(f'{x:.2f}' for x in rs)})" if rs else "-"
    print(f"{n}/{base}: p99 at r50 {ratio('r50','p99')} (target <= 0.8), at r80 {ratio('r80','p99')} (<= 0.8); "
          f"saturated p99 {ratio('sat','p99')} (<= 1.2) at rps {ratio('sat','rps')} (>= 1.0); "
          f"cpu/req {ratio('sat','cpu')}")
PY
[ -n "${RESULTS_OUT:-}" ] && cp "$results" "$RESULTS_OUT"
exit 0
