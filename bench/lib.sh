# Shared by the bench scripts (source it): the project's jar, a scratch directory cleaned on exit,
# process bookkeeping that stops each peer with the signal it obeys, free ports and CPU accounting.
# Expects $root (the repository) to be set by the sourcing script.

"$root/scripts/install-peers.sh"
jar="$root/launcher/target/corerouter.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl launcher -am package)

# the JVM flags bin/corerouter runs with (COREROUTER_JAVA_OPTS replaces them; empty = JVM defaults),
# and its class-data-sharing archive (made once per build; COREROUTER_CDS=off: without it)
java_base_opts="${COREROUTER_JAVA_OPTS--XX:+UseSerialGC -Xms16m -Xmn8m -Dio.netty.allocator.maxOrder=7}"
java_opts="$java_base_opts $("$root/bin/cds-archive" "$jar" $java_base_opts)"

work="$(mktemp -d /tmp/corerouter-bench.XXXXXX)"
# uWSGI masters, nginx: SIGINT (a uWSGI master reloads on SIGTERM but exits on SIGINT)
pids=()
# the JVM and HAProxy, started in the background of a script, ignore SIGINT: SIGTERM
term_pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${term_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() { # port
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "port $1 never opened" >&2; return 1
}

# CPU ticks (utime+stime) of a process and all its descendants
cpu_ticks() {
  local total=0 p
  for p in $(pgrep -P "$1" 2>/dev/null) "$1"; do
    if [ -r "/proc/$p/stat" ]; then
      total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat") ))
    fi
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

# ROUNDS (default 1): each script measures every router once per round, in the same order, so a
# drift of the shared machine hits all of them; the summary gives per-round ratios and their median.
rounds="${ROUNDS:-1}"
results="$work/results"
: >"$results"

# wrk_measure ROUND NAME PID PORT [SCHEME [WRK OPTIONS...]]: one wrk run against SCHEME://127.0.0.1:PORT/
# (http unless given; e.g. https -H "Connection: close") with a warm-up of WARMUP seconds (default 10)
# in round 1 only, CPU of PID and its children over the run; appends "ROUND NAME rps p99_ms cpu_us".
wrk_measure() {
  local round=$1 name=$2 pid=$3 port=$4 scheme=${5:-http}
  shift $(( $# < 5 ? $# : 5 ))
  if [ "$round" -eq 1 ]; then
    wrk "$@" -t2 -c"$connections" -d"${WARMUP:-10}s" "$scheme://127.0.0.1:$port/" >/dev/null   # JIT, pools
  fi
  local before after out rps reqs p99 errors cpu_us
  before=$(cpu_ticks "$pid")
  out=$(wrk "$@" -t2 -c"$connections" -d"${duration}s" --latency "$scheme://127.0.0.1:$port/")
  after=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  cpu_us=$(python3 -c "print(round(($after-$before)/$hz*1e6/max(1,$reqs),2))")
  echo "round $round: $name rps=$rps p99=$p99 cpu_us_per_req=$cpu_us requests=$reqs ${errors}" >&2
  echo "$round $name $rps $p99 $cpu_us" >>"$results"
}

# wrk_summary "OURS/THEIRS target NOTE" ...: a table of medians over the rounds, then for each
# comparison the rps and CPU-per-request ratios of every round and their median.
wrk_summary() {
  python3 - "$results" "$@" <<'PY'
import statistics, sys
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
names = list(dict.fromkeys(r[1] for r in rows))
data = {(int(r[0]), r[1]): (float(r[2]), ms(r[3]), float(r[4])) for r in rows}
rounds = sorted({int(r[0]) for r in rows})
print(f"{'router':<18} {'rps':>10} {'p99_ms':>8} {'cpu_us/req':>11}   (medians of {len(rounds)} round(s))")
for n in names:
    vals = [data[(k, n)] for k in rounds]
    print(f"{n:<18} {statistics.median(v[0] for v in vals):>10.0f} {statistics.median(v[1] for v in vals):>8.2f} "
          f"{statistics.median(v[2] for v in vals):>11.2f}")
for spec in sys.argv[2:]:
    pair, target, note = spec.split(" ", 2)
    ours, theirs = pair.split("/")
    rps = [data[(k, ours)][0] / data[(k, theirs)][0] for k in rounds]
    cpu = [data[(k, ours)][2] / max(data[(k, theirs)][2], 1e-9) for k in rounds]
    print(f"{ours}/{theirs}: rps ratio {statistics.median(rps):.2f} (rounds: {' '.join(f'{r:.2f}' for r in rps)}; "
          f"target {target}), cpu/req ratio {statistics.median(cpu):.2f} {note}")
PY
}

rss_kb() { # pid: VmRSS of the process and its children
  local total=0 p
  for p in $(pgrep -P "$1" 2>/dev/null) "$1"; do
    total=$(( total + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
