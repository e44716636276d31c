# Shared by the bench scripts (source it): the project's jar, a scratch directory cleaned on exit,
# process bookkeeping that stops each peer with the signal it obeys, free ports and CPU accounting.
# Expects $root (the repository) to be set by the sourcing script.

"$root/scripts/install-peers.sh"
jar="$root/launcher/target/corerouter.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl launcher -am package)

# the JVM flags bin/corerouter runs with (COREROUTER_JAVA_OPTS replaces them; empty = JVM defaults)
java_opts="${COREROUTER_JAVA_OPTS--XX:+UseSerialGC}"

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
