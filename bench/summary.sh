#!/usr/bin/env bash
# The side-by-side table of the README's Benchmarks section (issue 14): runs bench/footprint.sh,
# bench/latency-compare.sh and bench/conn-compare.sh, then prints one markdown table for corerouter's
# HTTP router (to a classic uwsgi node, and to a pooled puwsgi node), uWSGI's http router and nginx.
# Every figure comes from one run on one machine; ratios hold, absolute numbers depend on the machine
# and on what else runs on it (the load average is printed under the table).
# Usage: bench/summary.sh
# Env:   IDLE_CLIENTS (default 5000), DURATION (default 10), ROUNDS (default 3), and the three scripts' own
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d /tmp/corerouter-summary.XXXXXX)"
trap 'rm -rf "$out"' EXIT
export ROUNDS="${ROUNDS:-3}"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
FOOTPRINT_OUT="$out/footprint" ROUTERS="ours ours-nocds uwsgi-http nginx" \
  "$root/bench/footprint.sh" "${IDLE_CLIENTS:-5000}" | tee "$out/footprint.txt" >&2
RESULTS_OUT="$out/latency" "$root/bench/latency-compare.sh" "${DURATION:-10}" 32 2>&1 | tee "$out/latency.txt" >&2
RESULTS_OUT="$out/conn" PATHS=http-close "$root/bench/conn-compare.sh" "${DURATION:-10}" 32 2>&1 \
  | tee "$out/conn.txt" >&2
python3 - "$out" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$ROUNDS" <<'PY'
import statistics, sys
out, load_before, load_after, rounds = sys.argv[1:5]
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit):
            return float(v[:-len(unit)]) * f
    return float(v)
fp = {}
for line in open(f"{out}/footprint"):
    parts = line.split()
    kv = dict(p.split("=") for p in parts[2:])
    fp[parts[1]] = {k: int(v) for k, v in kv.items()}
lat = {}
for r in (l.split() for l in open(f"{out}/latency") if l.strip()):
    key = (r[1], r[2])
    if r[2] == "sat":
        lat.setdefault(key, []).append(dict(rps=float(r[3]), p99=ms(r[5]), cpu=float(r[7])))
    else:
        lat.setdefault(key, []).append(dict(p50=int(r[4]) / 1000, p99=int(r[5]) / 1000, p999=int(r[6]) / 1000,
                                            gc=None if r[9] == "-" else float(r[9])))
conn = {}
for r in (l.split() for l in open(f"{out}/conn") if l.strip()):
    conn.setdefault(r[1], []).append(dict(rps=float(r[2]), p99=ms(r[3]), cpu=float(r[4])))
def med(rows, k):
    return statistics.median(x[k] for x in rows)
cols = [("ours-uwsgi", "ours", "ours-http-close", "corerouter → uwsgi node"),
        ("ours-puwsgi", "ours", None, "corerouter → puwsgi pool"),
        ("uwsgi-http", "uwsgi-http", "uwsgi-http-close", "uWSGI http router"),
        ("nginx", "nginx", None, "nginx uwsgi_pass")]
rows = []
def row(label, f):
    cells = []
    for c in cols:
        try:
            cells.append(f(*c))
        except (KeyError, ValueError, ZeroDivisionError):
            cells.append("–")
    rows.append(f"| {label} | " + " | ".join(cells) + " |")
row("start-up to first served request", lambda l, f, c, n: f"{fp[f]['startup_ms'] / 1000:.2f} s")
row("idle RSS", lambda l, f, c, n: f"{fp[f]['idle_kb'] / 1024:.0f} MB")
row("idle RSS without the class-data archive", lambda l, f, c, n: f"{fp[f + '-nocds']['idle_kb'] / 1024:.0f} MB")
row(f"RSS per idle keep-alive connection",
    lambda l, f, c, n: f"{(fp[f]['held_kb'] - fp[f]['idle_kb']) * 1024 / fp[f]['opened'] / 1024:.1f} KB")
for kind, name in (("r50", "50%"), ("r80", "80%")):
    row(f"p50 / p99 / p99.9 at {name} of uWSGI's peak (ms)",
        lambda l, f, c, n: "{:.2f} / {:.2f} / {:.2f}".format(*(med(lat[(l, kind)], k) for k in ("p50", "p99", "p999"))))
row("max GC pause during the 80% runs", lambda l, f, c, n: f"{max(x['gc'] for x in lat[(l, 'r80')]):.2f} ms"
    if lat[(l, 'r80')][0]['gc'] is not None else "–")
row("saturated (wrk -c32): rps, p99", lambda l, f, c, n: f"{med(lat[(l, 'sat')], 'rps'):.0f}, {med(lat[(l, 'sat')], 'p99'):.1f} ms")
row("router CPU per request, keep-alive clients", lambda l, f, c, n: f"{med(lat[(l, 'sat')], 'cpu'):.0f} µs")
row("router CPU per request, a connection per request", lambda l, f, c, n: f"{med(conn[c], 'cpu'):.0f} µs")
print("| | " + " | ".join(c[3] for c in cols) + " |")
print("|---|" + "---|" * len(cols))
print("\n".join(rows))
print(f"\nMedians of {rounds} rounds (routers taking turns); load average {load_before} before, {load_after} after.")
PY
